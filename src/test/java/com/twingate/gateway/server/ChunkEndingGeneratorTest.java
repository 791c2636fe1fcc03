package com.twingate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.api.Test;

/**
 * The generator driven the way Jetty's HTTP/1.1 connection drives it (generate, flush what it asks,
 * generate again until done), one send per response write: after every send the bytes on the wire end
 * with a complete chunk, and the whole response is exactly the chunked encoding of its content.
 */
class ChunkEndingGeneratorTest {

    private final ChunkEndingGenerator generator = new ChunkEndingGenerator();
    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
    private final MetaData.Response info = new MetaData.Response(HttpStatus.OK_200, null, HttpVersion.HTTP_1_1,
            HttpFields.build().add("Content-Type", "application/json"));

    @Test
    void everySendEndsWithACompleteChunkAndTheWholeIsValidChunkedEncoding() throws Exception {
        send(info, "first event\n", false);
        assertThat(sent()).endsWith("\r\n\r\nC\r\nfirst event\n\r\n");
        send(null, "second\n", false);
        assertThat(sent()).endsWith("\r\n7\r\nsecond\n\r\n");
        send(null, "", true);

        assertThat(sent()).endsWith("\r\n\r\nC\r\nfirst event\n\r\n7\r\nsecond\n\r\n0\r\n\r\n");
    }

    @Test
    void contentWithTheLastWriteAndTrailersStayWellFramed() throws Exception {
        MetaData.Response withTrailers = new MetaData.Response(HttpStatus.OK_200, null, HttpVersion.HTTP_1_1,
                HttpFields.build(), -1, (Supplier<HttpFields>) () -> HttpFields.build().add("X-Done", "yes"));
        send(withTrailers, "a", false);
        send(null, "bc", true);

        assertThat(sent()).endsWith("\r\n\r\n1\r\na\r\n2\r\nbc\r\n0\r\nX-Done: yes\r\n\r\n");
    }

    @Test
    void aResponseWithALengthIsLeftAlone() throws Exception {
        send(new MetaData.Response(HttpStatus.OK_200, null, HttpVersion.HTTP_1_1, HttpFields.build(), 5), "hello", true);

        assertThat(sent()).endsWith("Content-Length: 5\r\n\r\nhello");
    }

    /** One response write, as Jetty's connection performs it. */
    private void send(MetaData.Response response, String text, boolean last) throws Exception {
        ByteBuffer content = BufferUtil.toBuffer(text, StandardCharsets.UTF_8);
        ByteBuffer header = null;
        ByteBuffer chunk = null;
        for (int step = 0; step < 20; step++) {
            HttpGenerator.Result result = generator.generateResponse(response, false, header, chunk, content, last);
            switch (result) {
                case NEED_HEADER -> header = BufferUtil.allocate(4096);
                case NEED_CHUNK -> chunk = BufferUtil.allocate(HttpGenerator.CHUNK_SIZE);
                case NEED_CHUNK_TRAILER -> chunk = BufferUtil.allocate(4096);
                case FLUSH -> {
                    drain(header);
                    drain(chunk);
                    drain(content);
                }
                case CONTINUE, SHUTDOWN_OUT -> { }
                case DONE -> {
                    return;
                }
                default -> throw new AssertionError("unexpected " + result);
            }
        }
        throw new AssertionError("the generator did not finish a send");
    }

    private void drain(ByteBuffer buffer) {
        if (buffer != null) {
            while (buffer.hasRemaining()) {
                wire.write(buffer.get());
            }
        }
    }

    private String sent() {
        return wire.toString(StandardCharsets.UTF_8);
    }
}
