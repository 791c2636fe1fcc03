package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * exec and attach over WebSocket, the channel protocols of k8s.io/apimachinery's {@code wsstream}
 * ({@link ChannelFraming}): channels 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255,
 * "close channel N".
 */
final class WebSocketCommandChannels implements CommandChannels {

    static final String V5 = "v5.channel.k8s.io";
    static final String V4 = "v4.channel.k8s.io";
    static final String V4_BASE64 = "v4.base64.channel.k8s.io";
    static final String BASE64 = "base64.channel.k8s.io";
    static final String V1 = "channel.k8s.io";
    /** In the server's order of preference. */
    static final List<String> PROTOCOLS = List.of(V5, V4, V4_BASE64, BASE64, V1);

    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int ERROR = 3;
    private static final int RESIZE = 4;
    private static final int CLOSE = 255;

    private final ChannelFraming frames;
    private final String protocol;
    private final CommandRequest request;
    private final ChunkPipe stdin = new ChunkPipe();
    private final TerminalSizes sizes = new TerminalSizes();
    private volatile boolean gone;

    WebSocketCommandChannels(WebSocketConnection socket, String protocol, CommandRequest request) {
        this.frames = new ChannelFraming(socket, protocol);
        this.protocol = protocol;
        this.request = request;
        if (!request.stdin()) {
            stdin.end();
        }
    }

    /** Runs {@code command} on its own thread while this thread reads the client's messages. */
    void serve(Consumer<CommandChannels> command) throws IOException {
        Thread.ofVirtual().name("kube-api-command").start(() -> command.accept(this));
        try {
            for (byte[] payload = frames.read(); payload != null; payload = frames.read()) {
                if (payload.length == 0) {
                    continue;
                }
                byte[] data = Arrays.copyOfRange(payload, 1, payload.length);
                switch (payload[0] & 0xff) {
                    case STDIN -> stdin.put(data);
                    case RESIZE -> sizes.offer(data);
                    case CLOSE -> {
                        if (data.length > 0 && data[0] == STDIN) {
                            stdin.end();
                        }
                    }
                    default -> { }
                }
            }
        } finally {
            gone = true;
            stdin.end();
        }
    }

    private void send(int channel, byte[] data, int offset, int length) throws IOException {
        frames.send(channel, data, offset, length);
    }

    @Override
    public InputStream stdin() {
        return stdin;
    }

    @Override
    public OutputStream stdout() {
        return request.stdout() ? new ChannelOutput(STDOUT) : OutputStream.nullOutputStream();
    }

    @Override
    public OutputStream stderr() {
        return request.stderrStream() ? new ChannelOutput(STDERR) : OutputStream.nullOutputStream();
    }

    @Override
    public TerminalSizes sizes() {
        return sizes;
    }

    @Override
    public boolean clientGone() {
        return gone;
    }

    @Override
    public void finish(CommandResult result) throws IOException {
        try {
            if (protocol.equals(V5) || protocol.equals(V4) || protocol.equals(V4_BASE64)) {
                byte[] status = Statuses.JSON.writeValueAsBytes(result.status());
                send(ERROR, status, 0, status.length);
            } else if (!result.legacyMessage().isEmpty()) {
                byte[] message = result.legacyMessage().getBytes(StandardCharsets.UTF_8);
                send(ERROR, message, 0, message.length);
            }
        } finally {
            // The client reads its channels to their end, which is the end of the connection.
            frames.close();
        }
    }

    private final class ChannelOutput extends OutputStream {
        private final int channel;

        ChannelOutput(int channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            if (length > 0) {
                send(channel, data, offset, length);
            }
        }
    }
}
