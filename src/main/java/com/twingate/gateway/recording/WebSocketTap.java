package com.twingate.gateway.recording;

import com.twingate.gateway.relay.RelayTap;
import java.nio.ByteBuffer;

/**
 * Records an exec/attach session relayed over WebSocket [§6]: stdout (1) and stderr (2) from the API
 * server are output; resize (4) from the client sets or changes the terminal size.
 */
final class WebSocketTap implements RelayTap {

    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int RESIZE = 4;

    private final AsciicastRecorder recorder;
    private final WebSocketFrameReader fromClient;
    private final WebSocketFrameReader fromServer;

    WebSocketTap(AsciicastRecorder recorder) {
        this.recorder = recorder;
        ResizeParser resizes = new ResizeParser(recorder::resize);
        this.fromClient = new WebSocketFrameReader(new ChannelDemultiplexer((stream, bytes) -> {
            if (stream == RESIZE) {
                resizes.bytes(bytes);
            }
        }));
        this.fromServer = new WebSocketFrameReader(new ChannelDemultiplexer((stream, bytes) -> {
            if (stream == STDOUT || stream == STDERR) {
                recorder.output(bytes);
            }
        }));
    }

    @Override
    public void clientToServer(ByteBuffer bytes) {
        fromClient.feed(bytes);
    }

    @Override
    public void serverToClient(ByteBuffer bytes) {
        fromServer.feed(bytes);
    }

    @Override
    public void close() {
        recorder.finish();
    }
}
