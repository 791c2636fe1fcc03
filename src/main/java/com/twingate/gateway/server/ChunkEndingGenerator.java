package com.twingate.gateway.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Jetty's HTTP/1.1 response generator, except that every chunk of a chunked response is complete when
 * it is written. Jetty writes the CRLF that ends a chunk only in front of the next chunk, so the last
 * event of a quiet watch or {@code logs -f} stays one CRLF short until the next one arrives; clients
 * that read a chunk to its CRLF before handing it on (urllib3, under the official Python client) then
 * see every event one late (jetty/jetty.project#154, open since Jetty 9).
 *
 * <p>How: when a send would end with a chunk's CRLF still owed, the CRLF is written at once as its own
 * small flush, and the same two bytes are cut from the front of what the generator writes next (the
 * next chunk's size line, the last chunk, or the trailers), which always starts with them.
 */
final class ChunkEndingGenerator extends HttpGenerator {

    private static final int CRLF = 2;

    /** A chunk went out whose CRLF has not. */
    private boolean owed;
    /** The owed CRLF went out on its own: the generator's next output starts with it and loses it. */
    private boolean sentAhead;

    @Override
    public Result generateResponse(MetaData.Response info, boolean head, ByteBuffer header, ByteBuffer chunk,
                                   ByteBuffer content, boolean last) throws IOException {
        State before = getState();
        boolean sendsContent = BufferUtil.hasContent(content) && !head;
        Result result = super.generateResponse(info, head, header, chunk, content, last);
        // Checked first: writing the last chunk ends the chunking.
        if (sentAhead && BufferUtil.length(chunk) >= CRLF && chunk.get(chunk.position()) == '\r') {
            chunk.position(chunk.position() + CRLF);
            sentAhead = false;
        }
        if (!isChunking()) {
            return result;
        }
        if (result == Result.FLUSH && sendsContent && (before == State.START || before == State.COMMITTED)) {
            owed = !last;
            return result;
        }
        if (result == Result.DONE && owed && getState() == State.COMMITTED) {
            if (chunk == null) {
                return Result.NEED_CHUNK;
            }
            BufferUtil.clearToFill(chunk);
            BufferUtil.putCRLF(chunk);
            BufferUtil.flipToFlush(chunk, 0);
            owed = false;
            sentAhead = true;
            return Result.FLUSH;
        }
        return result;
    }

    @Override
    public void reset() {
        super.reset();
        owed = false;
        sentAhead = false;
    }
}
