package com.twingate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;

/**
 * An HTTP/2 client at the frame level, for sending what a well-behaved client library never would
 * (uppercase names, connection-specific headers, unknown pseudo-headers) and for resetting streams by
 * hand. Header blocks are written as HPACK literals, exactly as given; answers are decoded with Jetty's
 * HPACK decoder. SETTINGS and PING from the server are acknowledged as they arrive.
 */
public final class RawHttp2 implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as it came off the wire. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {
        public boolean endsStream() {
            return (flags & END_STREAM) != 0;
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final HpackDecoder decoder = new HpackDecoder(64 * 1024, System::nanoTime);

    /** Starts HTTP/2 on {@code socket}, whose TLS negotiated {@code h2}: the preface and empty SETTINGS. */
    public RawHttp2(SSLSocket socket) throws IOException {
        if (!"h2".equals(socket.getApplicationProtocol())) {
            throw new IOException("the TLS session negotiated " + socket.getApplicationProtocol() + ", not h2");
        }
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        out.write(PREFACE);
        write(SETTINGS, 0, 0, new byte[0]);
        // A large connection window, so that streams the test does not read do not hold up the others.
        write(WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(1 << 30).array());
    }

    /** Sends a request's header block as literals: {@code fields} are name, value pairs, pseudo-headers first. */
    public void request(int streamId, List<String[]> fields, boolean endStream) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (String[] field : fields) {
            block.write(0x00);
            string(block, field[0]);
            string(block, field[1]);
        }
        write(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block.toByteArray());
    }

    /** A GET with the usual pseudo-headers and the given extra headers. */
    public void get(int streamId, String path, List<String[]> headers) throws IOException {
        List<String[]> fields = new java.util.ArrayList<>(List.of(new String[] {":method", "GET"},
                new String[] {":scheme", "https"}, new String[] {":authority", "kube"}, new String[] {":path", path}));
        fields.addAll(headers);
        request(streamId, fields, true);
    }

    public void reset(int streamId) throws IOException {
        write(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(0x8).array()); // CANCEL
    }

    /** The next frame that is not connection housekeeping; empty at the end of the connection or after {@code timeout}. */
    public Optional<Frame> next(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int streamId = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (type == SETTINGS && (flags & ACK) == 0) {
                    write(SETTINGS, ACK, 0, new byte[0]);
                } else if (type == PING && (flags & ACK) == 0) {
                    write(PING, ACK, 0, payload);
                } else if (type != SETTINGS && type != WINDOW_UPDATE && type != PING) {
                    return Optional.of(new Frame(type, flags, streamId, payload));
                }
            }
        } catch (EOFException | SocketTimeoutException ended) {
            return Optional.empty();
        } catch (IOException reset) {
            return Optional.empty();
        }
    }

    /** The status of a response HEADERS frame. */
    public int status(Frame headers) throws IOException {
        try {
            return ((MetaData.Response) decoder.decode(ByteBuffer.wrap(headers.payload()))).getStatus();
        } catch (Exception e) {
            throw new IOException("an undecodable header block", e);
        }
    }

    private void string(ByteArrayOutputStream block, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // HPACK integer with a 7-bit prefix, Huffman bit clear.
        if (bytes.length < 127) {
            block.write(bytes.length);
        } else {
            block.write(127);
            int rest = bytes.length - 127;
            while (rest >= 128) {
                block.write((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            block.write(rest);
        }
        block.writeBytes(bytes);
    }

    private synchronized void write(int type, int flags, int streamId, byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
        frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        frame.put((byte) type).put((byte) flags).putInt(streamId).put(payload);
        socket.getOutputStream().write(frame.array());
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
