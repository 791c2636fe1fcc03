package com.twingate.gateway.recording;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beyond the public gateway: each session also as one {@code .cast} file under {@code recording.directory}
 * — the header once, then every event, so {@code asciinema play} replays the whole session.
 */
public final class CastFileSink implements RecordingSink {

    private static final Logger LOG = LoggerFactory.getLogger(CastFileSink.class);

    private final Path directory;

    public CastFileSink(Path directory) {
        this.directory = directory;
    }

    /** Where a session's file goes: namespace, pod and request id, so names never collide. */
    public Path fileFor(SessionInfo session) {
        return directory.resolve(fileName(session.namespace(), session.pod(), session.requestId()));
    }

    /** The one naming rule of {@code .cast} files, also for files made from log parts. */
    public static String fileName(String namespace, String pod, String requestId) {
        return String.join("_", namespace, pod, requestId).replaceAll("[^A-Za-z0-9._-]", "-") + ".cast";
    }

    /** A part's header line: every part starts with it. */
    public static String header(String asciicast) {
        int headerEnd = asciicast.indexOf('\n');
        return headerEnd < 0 ? asciicast : asciicast.substring(0, headerEnd);
    }

    /** A part's event lines, joined by {@code \n}; empty for a part that is the header alone. */
    public static String events(String asciicast) {
        int headerEnd = asciicast.indexOf('\n');
        return headerEnd < 0 ? "" : asciicast.substring(headerEnd + 1);
    }

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        Path file = fileFor(session);
        String events = events(asciicast);
        try {
            if (sequence == 1) {
                Files.writeString(file, header(asciicast) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            }
            if (!events.isEmpty()) {
                Files.writeString(file, events + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            LOG.warn("cannot write the recording file {} (part {}): {}", file, sequence, e.getMessage());
        }
    }
}
