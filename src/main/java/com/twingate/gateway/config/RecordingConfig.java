package com.twingate.gateway.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Session recording.
 *
 * @param directory    where each session also goes as a {@code .cast} file, when set
 * @param onFailure    what happens to a session whose recording cannot be made or written
 * @param bufferBudget the most bytes of recording held in memory across all sessions: events not yet cut
 *                     into a part, and parts waiting to be written
 */
public record RecordingConfig(Optional<Path> directory, OnFailure onFailure, long bufferBudget) {

    /** {@code recording.onFailure}. */
    public enum OnFailure {
        /** Refuse a new session (503) and end a running one: nothing runs unrecorded. */
        REFUSE,
        /** Keep the session, with a warning line and a metric: the recording may be incomplete. */
        CONTINUE;

        static Optional<OnFailure> of(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "refuse" -> Optional.of(REFUSE);
                case "continue" -> Optional.of(CONTINUE);
                default -> Optional.empty();
            };
        }
    }
}
