package com.twingate.gateway.relay;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sees every byte relayed through an upgraded connection (session recording), before it is passed on.
 * Gets read-only views it must not keep; must not block, must not throw. Each call answers when the
 * tunnel may read that side again: {@link #GO_ON} at once; a later completion when the tap needs the
 * tunnel to wait (back-pressure, without holding a thread); a failure when the session must end — the
 * tunnel then passes nothing more on and closes both sides.
 */
public interface RelayTap {

    /** The answer that lets the tunnel go on at once. */
    CompletionStage<Void> GO_ON = CompletableFuture.completedStage(null);

    RelayTap NONE = new RelayTap() {
        @Override
        public CompletionStage<Void> clientToServer(ByteBuffer bytes) {
            return GO_ON;
        }

        @Override
        public CompletionStage<Void> serverToClient(ByteBuffer bytes) {
            return GO_ON;
        }

        @Override
        public void close() {}
    };

    CompletionStage<Void> clientToServer(ByteBuffer bytes);

    CompletionStage<Void> serverToClient(ByteBuffer bytes);

    /** The relay ended, either side first. */
    void close();
}
