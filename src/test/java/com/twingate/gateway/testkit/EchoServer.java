package com.twingate.gateway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** A TCP echo server on 127.0.0.1: what port-forward reaches "in the pod". */
public final class EchoServer implements AutoCloseable {

    private static final Duration ROUND_TRIP = Duration.ofSeconds(60);

    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    public EchoServer() throws IOException {
        Thread.ofVirtual().name("echo-accept").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket connection = listener.accept();
                    Thread.ofVirtual().name("echo").start(() -> echo(connection));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    public int port() {
        return listener.getLocalPort();
    }

    private static void echo(Socket connection) {
        try (connection) {
            connection.getInputStream().transferTo(connection.getOutputStream());
        } catch (IOException hungUp) {
            // The test's client went away; the test asserts on what it received.
        }
    }

    /**
     * Sends {@code payload} to 127.0.0.1:{@code port} while reading what comes back (writing first and
     * reading after would deadlock once the buffers between fill), and returns as many bytes as were sent.
     */
    public static byte[] roundTrip(int port, byte[] payload) throws IOException, InterruptedException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Math.toIntExact(ROUND_TRIP.toMillis()));
            Thread writer = Thread.ofVirtual().name("round-trip-writer").start(() -> {
                try {
                    socket.getOutputStream().write(payload);
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            byte[] back = socket.getInputStream().readNBytes(payload.length);
            if (!writer.join(ROUND_TRIP)) {
                throw new IOException("writing " + payload.length + " bytes to port " + port + " did not finish in " + ROUND_TRIP);
            }
            return back;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
