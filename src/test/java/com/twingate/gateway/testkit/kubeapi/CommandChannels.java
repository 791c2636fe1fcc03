package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The client's ends of an exec or attach, whichever protocol (WebSocket or SPDY) carries them. */
interface CommandChannels {

    /** What the client types; empty when it asked for no stdin; ends when it closes its stdin. */
    InputStream stdin();

    /** Discards what is written when the client did not ask for this stream. */
    OutputStream stdout();

    OutputStream stderr();

    TerminalSizes sizes();

    /** True once the client's connection is gone (not just its stdin). */
    boolean clientGone();

    /** Sends how the command ended and closes the session; nothing is written after it. */
    void finish(CommandResult result) throws IOException;
}
