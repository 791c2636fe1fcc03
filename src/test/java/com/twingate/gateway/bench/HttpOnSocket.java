package com.twingate.gateway.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * kubectl's side of HTTP/1.1 on one kept-alive connection, as little as it takes: write a request,
 * read the answer's head and body (Content-Length or chunked). The same code for every path, so the
 * client's own cost is the same for all of them.
 */
final class HttpOnSocket implements AutoCloseable {

    private final Route.Opened connection;
    private final InputStream in;
    private final OutputStream out;
    private final StringBuilder line = new StringBuilder(128);

    HttpOnSocket(Route.Opened connection) throws IOException {
        this.connection = connection;
        this.in = new BufferedInputStream(connection.socket().getInputStream(), 16 * 1024);
        this.out = connection.socket().getOutputStream();
    }

    static byte[] get(String pathAndQuery, String host) {
        return ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: application/json\r\n"
                + "User-Agent: bench\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends the request and reads the whole answer; returns its status. */
    int exchange(byte[] request) throws IOException {
        send(request);
        Head head = readHead();
        readBody(head);
        return head.status;
    }

    void send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
    }

    /** Status and how the body is framed. */
    record Head(int status, long contentLength, boolean chunked, String text) {}

    Head readHead() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        StringBuilder text = new StringBuilder(statusLine).append("\r\n");
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            text.append(header).append("\r\n");
            int colon = header.indexOf(':');
            String name = header.substring(0, colon);
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(header.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && header.toLowerCase().contains("chunked")) {
                chunked = true;
            }
        }
        return new Head(status, contentLength, chunked, text.toString());
    }

    /**
     * Reads the first chunk of a chunked body (a watch's first event) without waiting for more. The CRLF
     * that ends its data is not waited for: a server may send it only in front of the next chunk (Jetty does).
     */
    void readFirstChunk() throws IOException {
        int size = Integer.parseInt(readLine().trim(), 16);
        skip(size);
    }

    private void readBody(Head head) throws IOException {
        if (head.chunked) {
            for (int size = Integer.parseInt(readLine().trim(), 16); size > 0; size = Integer.parseInt(readLine().trim(), 16)) {
                skip(size);
                readLine();
            }
            for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
                // trailers carry nothing the benchmark needs
            }
        } else if (head.contentLength > 0) {
            skip(head.contentLength);
        }
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("closed in the body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response head");
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }

    /** The raw stream after a 101 (bytes already buffered are read first). */
    InputStream input() {
        return in;
    }

    /**
     * As kubectl (Go) closes: close_notify, then the TCP socket, without waiting for the peer's
     * close_notify (the JDK's {@code SSLSocket.close()} may wait for it, up to the read timeout).
     */
    @Override
    public void close() throws IOException {
        close(connection);
    }

    static void close(Route.Opened connection) throws IOException {
        try {
            connection.socket().shutdownOutput();
        } catch (IOException | UnsupportedOperationException alreadyGone) {
            // the TCP close below is what matters
        }
        connection.tcp().close();
    }
}
