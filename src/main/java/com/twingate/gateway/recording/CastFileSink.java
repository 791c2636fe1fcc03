package com.twingate.gateway.recording;

import com.twingate.gateway.metrics.RecordingFailureReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Beyond the public gateway: each session also as one {@code .cast} file under {@code recording.directory}
 * — the header once, then every event, so {@code asciinema play} replays the whole session. The file is
 * made before the session starts ({@link #open}), so a directory that cannot take it stops the session
 * from starting rather than leaving it unrecorded; a part that cannot be written is a
 * {@link RecordingException}.
 */
public final class CastFileSink implements RecordingSink {

    private final Path directory;
    private final long minimumFreeBytes;

    /** @param minimumFreeBytes below this much free space a new session's file is refused (one part's worth) */
    public CastFileSink(Path directory, long minimumFreeBytes) {
        this.directory = directory;
        this.minimumFreeBytes = minimumFreeBytes;
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

    /** Says why no session's file could be made now, if none could: checked before a session is sent upstream. */
    void check() {
        if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
            throw new RecordingException(RecordingFailureReason.UNWRITABLE_DIRECTORY,
                    "the recording directory " + directory + " is not a writable directory");
        }
        checkSpace(directory);
    }

    /** Makes the session's (empty) file, or says why it cannot be made. */
    void open(SessionInfo session) {
        Path file = fileFor(session);
        try {
            Files.newByteChannel(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
                    .close();
        } catch (IOException e) {
            throw new RecordingException(RecordingFailureReason.UNWRITABLE_DIRECTORY,
                    "cannot create the recording file " + file + ": " + describe(e));
        }
        checkSpace(file);
    }

    private void checkSpace(Path where) {
        long free;
        try {
            free = Files.getFileStore(where).getUsableSpace();
        } catch (IOException e) {
            throw new RecordingException(RecordingFailureReason.UNWRITABLE_DIRECTORY,
                    "cannot tell the free space for " + where + ": " + describe(e));
        }
        if (free < minimumFreeBytes) {
            throw new RecordingException(RecordingFailureReason.NO_SPACE,
                    "only " + free + " bytes are free for recordings in " + directory + " (at least " + minimumFreeBytes + " needed)");
        }
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
            boolean full = String.valueOf(e.getMessage()).contains("No space left");
            throw new RecordingException(full ? RecordingFailureReason.NO_SPACE : RecordingFailureReason.WRITE_FAILED,
                    "cannot write part " + sequence + " of the recording file " + file + ": " + describe(e));
        }
    }

    /** The JDK names only the path in some exceptions (NoSuchFileException): say what kind of failure it was too. */
    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
