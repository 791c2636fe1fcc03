package com.twingate.gateway.metrics;

/** Why a session's recording could not be made or written (label {@code reason} of {@code twingate_gateway_recording_failures_total}). */
public enum RecordingFailureReason {
    /** The {@code .cast} file could not be created: the directory is missing or not writable. */
    UNWRITABLE_DIRECTORY("unwritable_directory"),
    /** Too little space is left where the {@code .cast} files go. */
    NO_SPACE("no_space"),
    /** Writing a part failed. */
    WRITE_FAILED("write_failed"),
    /** The API server switched to a protocol, or negotiated an extension, the recorder cannot read. */
    UNSUPPORTED_PROTOCOL("unsupported_protocol"),
    /** The relayed bytes stopped making sense as the negotiated protocol. */
    UNREADABLE_STREAM("unreadable_stream"),
    /** The gateway is stopping and no longer records. */
    NOT_RUNNING("not_running");

    private final String label;

    RecordingFailureReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** What became of the session (label {@code action}). */
    public enum Action {
        /** A new session was refused before it started. */
        REFUSED("refused"),
        /** A running session was ended. */
        ENDED("ended"),
        /** {@code recording.onFailure = continue}: the session went on. */
        CONTINUED("continued");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
