package com.twingate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads an HTTP/1.1 response head off a raw socket, for tests that speak the wire themselves. */
public final class HttpHeads {

    private static final int MAX_HEAD = 64 * 1024;

    private HttpHeads() {}

    /**
     * The bytes up to and including the empty line, read one at a time so that nothing after the head
     * (a 101's first frames, a body) is consumed.
     */
    public static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            if (head.size() >= MAX_HEAD) {
                throw new IOException("no end of the response head in " + MAX_HEAD + " bytes");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
