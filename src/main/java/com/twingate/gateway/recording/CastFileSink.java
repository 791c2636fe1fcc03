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
        return directory.resolve(String.join("_", session.namespace(), session.pod(), session.requestId()).replaceAll("[^A-Za-z0-9._-]", "-")
                + ".cast");
    }

    @Override
    public void part(SessionInfo session, String asciicast, int sequence, boolean last) {
        Path file = fileFor(session);
        int headerEnd = asciicast.indexOf('\n');
        String events = headerEnd < 0 ? "" : asciicast.substring(headerEnd + 1);
        try {
            if (sequence == 1) {
                Files.writeString(file, asciicast.substring(0, headerEnd < 0 ? asciicast.length() : headerEnd) + "\n",
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
