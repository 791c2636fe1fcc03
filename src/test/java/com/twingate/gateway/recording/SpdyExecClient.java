package com.twingate.gateway.recording;

import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.SpdyFrameWriter;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * exec over SPDY/3.1 ({@code v4.channel.k8s.io}) the way kubectl's spdystream does it, with Netty's
 * frame codec over a TLS socket: upgrade, then one client-opened stream per channel.
 */
final class SpdyExecClient extends ExecClient {

    private static final int ERROR = 1;
    private static final int STDIN = 3;
    private static final int STDOUT = 5;
    private static final int STDERR = 7;
    private static final int RESIZE = 9;
    private static final Map<Integer, Integer> CHANNEL_OF_STREAM = Map.of(STDOUT, 1, STDERR, 2, ERROR, 3);

    private final SSLSocket socket;
    private final OutputStream out;
    private final SpdyFrameWriter frames;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final String upgradeAnswer;

    SpdyExecClient(URI https, SSLContext trust, boolean tty) throws IOException {
        socket = (SSLSocket) trust.getSocketFactory().createSocket(https.getHost(), https.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        out = socket.getOutputStream();
        frames = new SpdyFrameWriter(out);
        out.write(("POST " + https.getRawPath() + "?" + https.getRawQuery() + " HTTP/1.1\r\nHost: " + https.getAuthority()
                + "\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
                + "X-Stream-Protocol-Version: v3.channel.k8s.io\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        upgradeAnswer = HttpHeads.read(socket.getInputStream());
        if (!upgradeAnswer.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + upgradeAnswer);
        }
        open(ERROR, "error");
        open(STDIN, "stdin");
        open(STDOUT, "stdout");
        open(tty ? RESIZE : STDERR, tty ? "resize" : "stderr");
        Thread.ofVirtual().name("spdy-exec-client").start(this::readFrames);
    }

    String upgradeAnswer() {
        return upgradeAnswer;
    }

    private void open(int streamId, String type) throws IOException {
        DefaultSpdySynStreamFrame open = new DefaultSpdySynStreamFrame(streamId, 0, (byte) 0);
        open.headers().add("streamtype", type);
        write(open);
    }

    @Override
    void stdin(String text) throws IOException {
        write(new DefaultSpdyDataFrame(STDIN, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
    }

    @Override
    void closeStdin() throws IOException {
        write(new DefaultSpdyDataFrame(STDIN).setLast(true));
    }

    @Override
    void resize(int width, int height) throws IOException {
        write(new DefaultSpdyDataFrame(RESIZE, Unpooled.wrappedBuffer(resizeMessage(width, height))));
    }

    private void write(SpdyFrame frame) throws IOException {
        frames.write(frame);
    }

    /** Until the API server's GOAWAY or the end of the connection. */
    private void readFrames() {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                decoder.writeInbound(Unpooled.wrappedBuffer(buffer, 0, read).copy());
                for (Object frame = decoder.readInbound(); frame != null; frame = decoder.readInbound()) {
                    try {
                        if (frame instanceof SpdyDataFrame data && CHANNEL_OF_STREAM.containsKey(data.streamId())) {
                            byte[] bytes = new byte[data.content().readableBytes()];
                            data.content().readBytes(bytes);
                            received(CHANNEL_OF_STREAM.get(data.streamId()), bytes);
                        } else if (frame instanceof SpdyGoAwayFrame) {
                            ended.complete(null);
                        }
                    } finally {
                        ReferenceCountUtil.release(frame);
                    }
                }
            }
            ended.complete(null);
        } catch (IOException e) {
            ended.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        frames.close();
        decoder.finishAndReleaseAll();
    }
}
