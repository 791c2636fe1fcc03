package com.twingate.gateway.connect;

/** What the gateway answers to the one request it reads on the outer TLS (docs/client-protocol.md). */
public sealed interface ConnectOutcome {

    /** The HTTP status written to the client. */
    int status();

    /** {@code GET /healthz}: 200, then close. */
    record HealthCheck() implements ConnectOutcome {
        @Override
        public int status() {
            return 200;
        }
    }

    /** An authenticated CONNECT: 200, then the inner TLS carries kubectl's session. */
    record Accepted(ClientIdentity identity) implements ConnectOutcome {
        @Override
        public int status() {
            return 200;
        }
    }

    /** Any failure: the status line, then close. The reason is for the log only, never the client. */
    record Rejected(int status, String reason) implements ConnectOutcome {}
}
