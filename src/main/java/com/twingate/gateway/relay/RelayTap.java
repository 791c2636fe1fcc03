package com.twingate.gateway.relay;

import java.nio.ByteBuffer;

/**
 * Sees every byte relayed through an upgraded connection (session recording). Gets read-only views
 * it must not keep; must not block, must not throw.
 */
public interface RelayTap {

    RelayTap NONE = new RelayTap() {
        @Override
        public void clientToServer(ByteBuffer bytes) {}

        @Override
        public void serverToClient(ByteBuffer bytes) {}

        @Override
        public void close() {}
    };

    void clientToServer(ByteBuffer bytes);

    void serverToClient(ByteBuffer bytes);

    /** The relay ended, either side first. */
    void close();
}
