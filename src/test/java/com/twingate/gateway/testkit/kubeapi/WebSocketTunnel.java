package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * port-forward for kubectl 1.31 and later: a whole SPDY/3.1 connection inside WebSocket binary
 * messages (subprotocol {@code SPDY/3.1+portforward.k8s.io}; client-go's {@code TunnelingConnection}
 * writes each chunk as one message and reads messages back to back). These streams turn the messages
 * back into the byte stream the SPDY session reads and writes.
 */
final class WebSocketTunnel {

    static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";

    private final WebSocketConnection socket;

    WebSocketTunnel(WebSocketConnection socket) {
        this.socket = socket;
    }

    InputStream input() {
        return new InputStream() {
            private byte[] message = new byte[0];
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                while (position == message.length) {
                    WebSocketConnection.Message next = socket.read();
                    if (next == null) {
                        return -1;
                    }
                    if (next.opcode() != WebSocketConnection.BINARY) {
                        throw new IOException("the tunnel carries binary messages only, got opcode " + next.opcode());
                    }
                    message = next.payload();
                    position = 0;
                }
                int n = Math.min(length, message.length - position);
                System.arraycopy(message, position, into, offset, n);
                position += n;
                return n;
            }
        };
    }

    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] data, int offset, int length) throws IOException {
                socket.send(WebSocketConnection.BINARY, Arrays.copyOfRange(data, offset, offset + length));
            }

            /** The end of the SPDY connection is the WebSocket's normal close. */
            @Override
            public void close() throws IOException {
                socket.close();
            }
        };
    }
}
