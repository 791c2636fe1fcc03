package com.twingate.gateway.recording;

import java.nio.ByteBuffer;

/**
 * Reads one session's relayed bytes as its protocol, each direction as its receiver reads it: the
 * client's bytes as the API server does, the API server's as the client does. Fed in whatever pieces
 * the relay read; never throws for anything the bytes say.
 */
interface ProtocolReader {

    void fromClient(ByteBuffer bytes);

    void fromServer(ByteBuffer bytes);

    /** Frees what the reader holds (native inflaters). */
    default void close() {}
}
