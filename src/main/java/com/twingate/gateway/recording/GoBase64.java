package com.twingate.gateway.recording;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Base64 as Go's {@code base64.StdEncoding.Decode} reads it — what the API server uses for the base64
 * channel protocols — fed in pieces: {@code \r} and {@code \n} are skipped anywhere, the last quantum
 * must be padded with {@code =}, nothing but line breaks may follow the padding, and bits left over by
 * the padding are ignored. Java's decoders differ (padding optional, or any junk skipped).
 */
final class GoBase64 {

    private static final int[] VALUES = new int[256];

    static {
        Arrays.fill(VALUES, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = i;
        }
    }

    private final int[] quantum = new int[4];
    private int count;
    private boolean padding;
    private boolean ended;
    private boolean failed;

    /** The whole of {@code text} decoded, or null when Go would refuse it. */
    static byte[] decode(byte[] text) {
        GoBase64 decoder = new GoBase64();
        ByteBuffer decoded = decoder.feed(ByteBuffer.wrap(text));
        if (!decoder.finish()) {
            return null;
        }
        byte[] bytes = new byte[decoded.remaining()];
        decoded.get(bytes);
        return bytes;
    }

    /** Decodes what {@code text} completes; after a failure nothing more. */
    ByteBuffer feed(ByteBuffer text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.remaining() * 3 / 4 + 3);
        while (text.hasRemaining() && !failed) {
            accept(text.get() & 0xFF, out);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** True when what was fed is valid base64 that ended on a whole (or padded) quantum. */
    boolean finish() {
        return !failed && (ended || count == 0 && !padding);
    }

    boolean failed() {
        return failed;
    }

    private void accept(int c, ByteArrayOutputStream out) {
        if (c == '\r' || c == '\n') {
            return;
        }
        if (ended) {
            failed = true;
            return;
        }
        int value = VALUES[c];
        if (value >= 0 && !padding) {
            quantum[count++] = value;
            if (count == 4) {
                int bits = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
                out.write(bits >> 16);
                out.write(bits >> 8);
                out.write(bits);
                count = 0;
            }
        } else if (c == '=' && count == 2 && !padding) {
            padding = true;
        } else if (c == '=' && count == 2) {
            out.write((quantum[0] << 2 | quantum[1] >> 4) & 0xFF);
            ended = true;
        } else if (c == '=' && count == 3) {
            int bits = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6;
            out.write(bits >> 16);
            out.write(bits >> 8);
            ended = true;
        } else {
            failed = true;
        }
    }
}
