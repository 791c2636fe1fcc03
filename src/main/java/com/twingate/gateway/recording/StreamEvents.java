package com.twingate.gateway.recording;

import java.nio.ByteBuffer;

/** What a protocol reader finds in the relayed bytes of one session. */
interface StreamEvents {

    /** stdout or stderr bytes from the API server, as the client will show them. */
    void output(ByteBuffer bytes);

    /** Bytes of the client's resize stream (JSON terminal sizes). */
    void resize(ByteBuffer bytes);

    /** The bytes no longer make sense as the negotiated protocol: the recording cannot follow the session. */
    void unreadable(String why);
}
