package com.twingate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLServerSocket;

/**
 * An API server stand-in at the wire level, recording every request head byte for byte. It answers
 * an upgrade request with 101 (echoing the subprotocol headers kubectl negotiates) and then, by path,
 * echoes the stream ({@code /echo}), writes without end ({@code /source}), says "bye" and hangs up
 * ({@code /hangup}), or says "bye", half-closes and keeps what the client still sends
 * ({@code /half-close}). Whatever the request, {@code /deny} refuses with a 403 Status,
 * {@code /quiet} answers 200 and then sends nothing (a quiet watch; {@code /quiet/one-event} one event first), {@code /stream} answers 200 and
 * sends a chunk every 100 ms without end, and {@code /body} answers 200 with what the request's
 * body held; after {@code /deny} and {@code /body} the connection serves a next request. On any path, a request with {@code X-Stand-In-Source: stdout-frames} gets WebSocket
 * binary frames on channel 1 (stdout) without end, as a busy exec would send them.
 */
public final class UpgradeUpstream implements AutoCloseable {

    public static final String SOURCE_HEADER = "X-Stand-In-Source";
    /** The one chunk {@code /quiet/one-event} sends before it goes quiet. */
    public static final String ONE_EVENT = "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\"}}\n";
    public static final String STDOUT_FRAMES = "stdout-frames";
    /** Payload bytes of each stdout frame after the channel byte: text, so a recorder decodes it as a terminal would. */
    public static final int FRAME_TEXT_BYTES = 16 * 1024;

    private final SSLServerSocket listener;
    private final List<String> requestHeads = new CopyOnWriteArrayList<>();
    private final AtomicLong sourced = new AtomicLong();
    private final AtomicInteger closedSessions = new AtomicInteger();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> afterHalfClose = new CopyOnWriteArrayList<>();

    public UpgradeUpstream(TestPki.Issued certificate) throws IOException {
        listener = (SSLServerSocket) certificate.serverCertificates().sslContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public String address() {
        return "localhost:" + listener.getLocalPort();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The request heads received, as text: one char per byte (ISO-8859-1), so the exact bytes are kept. */
    public List<String> requestHeads() {
        return requestHeads;
    }

    /** Bytes written by {@code /source} sessions so far. */
    public long sourcedBytes() {
        return sourced.get();
    }

    /** Sessions that ended (their socket closed from either side). */
    public int closedSessions() {
        return closedSessions.get();
    }

    /**
     * Connections serving a stream (a 200 that does not end, or a 101) that have not closed yet; kept-alive
     * connections waiting for a next request are not counted.
     */
    public int openStreams() {
        return openStreams.get();
    }

    /** The bodies {@code /body} requests carried, as text. */
    public List<String> bodies() {
        return bodies;
    }

    /** What clients sent on {@code /half-close} sessions after this side stopped sending. */
    public List<String> receivedAfterHalfClose() {
        return afterHalfClose;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        boolean streaming = false;
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String head = readHead(in);
            String path = pathOf(head);
            // Answers with a length keep the connection alive for the next request, as an API server does.
            while (path.startsWith("/deny") || path.startsWith("/body")) {
                requestHeads.add(head);
                if (path.startsWith("/deny")) {
                    answer(out, "403 Forbidden", "application/json",
                            "{\"kind\":\"Status\",\"code\":403,\"message\":\"forbidden: exec\"}");
                } else {
                    String length = header(head, "Content-Length");
                    String body = new String(in.readNBytes(length == null ? 0 : Integer.parseInt(length)), StandardCharsets.UTF_8);
                    bodies.add(body);
                    answer(out, "200 OK", "text/plain", "got " + body);
                }
                head = readHead(in);
                path = pathOf(head);
            }
            requestHeads.add(head);
            openStreams.incrementAndGet();
            streaming = true;
            if (path.startsWith("/quiet") || path.startsWith("/stream")) {
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (path.startsWith("/quiet")) {
                    if (path.startsWith("/quiet/one-event")) {
                        out.write(chunk(ONE_EVENT));
                        out.flush();
                    }
                    // A watch with nothing to report: holds the connection until the gateway lets go of it.
                    while (in.read() >= 0) {
                        continue;
                    }
                    return;
                }
                for (int event = 0; ; event++) {
                    out.write(chunk("{\"event\":" + event + "}\n"));
                    out.flush();
                    Thread.sleep(100); // the pace of a busy watch, not synchronisation
                }
            }
            String protocol = header(head, "X-Stream-Protocol-Version");
            out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + header(head, "Upgrade") + "\r\n"
                    + (protocol == null ? "" : "X-Stream-Protocol-Version: " + protocol.split(",")[0].trim() + "\r\n")
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buffer = new byte[64 * 1024];
            if (path.startsWith("/hangup")) {
                out.write("bye".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            if (path.startsWith("/half-close")) {
                out.write("bye".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                socket.shutdownOutput();
                afterHalfClose.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                return;
            }
            if (STDOUT_FRAMES.equalsIgnoreCase(header(head, SOURCE_HEADER))) {
                writeStdoutFramesForever(out);
            }
            if (path.startsWith("/source")) {
                while (true) {
                    out.write(buffer);
                    sourced.addAndGet(buffer.length);
                }
            }
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
        } catch (IOException ended) {
            // the session ended from the other side
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } finally {
            if (streaming) {
                openStreams.decrementAndGet();
            }
            closedSessions.incrementAndGet();
        }
    }

    /** Unmasked server frames, FIN + binary, first payload byte 1 (stdout), then lines of printable text. */
    private void writeStdoutFramesForever(OutputStream out) throws IOException {
        byte[] frame = new byte[4 + 1 + FRAME_TEXT_BYTES];
        int length = 1 + FRAME_TEXT_BYTES;
        frame[0] = (byte) 0x82;
        frame[1] = 126;
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        frame[4] = 1;
        for (int i = 0; i < FRAME_TEXT_BYTES; i++) {
            frame[5 + i] = (byte) (i % 64 == 63 ? '\n' : 'a' + i % 26);
        }
        byte[] burst = new byte[frame.length * 4];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
        }
        while (true) {
            out.write(burst);
            sourced.addAndGet(burst.length);
        }
    }

    private static String pathOf(String head) {
        return head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
    }

    private static void answer(OutputStream out, String status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static byte[] chunk(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[size.length + data.length + 2];
        System.arraycopy(size, 0, chunk, 0, size.length);
        System.arraycopy(data, 0, chunk, size.length, data.length);
        chunk[chunk.length - 2] = '\r';
        chunk[chunk.length - 1] = '\n';
        return chunk;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4 && head.size() < 65_536) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the request head ended");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
