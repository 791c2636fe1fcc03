package com.twingate.gateway.proxy;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices kubectl going away while its response streams. Jetty reads kubectl's connection only when
 * a handler asks for request content, so once the request is fully read, a client that leaves during
 * a quiet watch or {@code logs -f} would go unnoticed until the next byte from the API server (or the
 * idle timeout, an hour), holding both connections. This watch asks to be told when kubectl's
 * endpoint becomes readable, and then only peeks: a fill into an empty buffer decrypts whatever came
 * (keeping it for the HTTP connection) and reports an end of stream.
 *
 * <p>Armed once the request is fully read and its answer is a plain response; disarmed before the
 * response completes, because Jetty refuses to finish a response while a read is pending.
 */
final class ClientDisconnectWatch implements Callback {

    private final EndPoint endPoint;
    private final Runnable onGone;
    private boolean armed;
    private boolean done;

    /** @param endPoint kubectl's (decrypted) endpoint under the HTTP/1.1 connection; null: nothing to watch */
    private ClientDisconnectWatch(EndPoint endPoint, Runnable onGone) {
        this.endPoint = endPoint;
        this.onGone = onGone;
    }

    /**
     * A watch over the connection a request came on. Over HTTP/2 there is nothing to watch: the session
     * reads all the time, and a client leaving fails its streams.
     *
     * @param onGone what to do when kubectl has gone: runs at most once
     */
    static ClientDisconnectWatch on(ConnectionMetaData connection, Runnable onGone) {
        boolean http11 = connection.getHttpVersion() == HttpVersion.HTTP_1_1;
        return new ClientDisconnectWatch(http11 ? connection.getConnection().getEndPoint() : null, onGone);
    }

    synchronized void arm() {
        if (endPoint != null && !armed && !done) {
            armed = endPoint.tryFillInterested(this);
        }
    }

    /** The response is about to complete: leave kubectl's endpoint to the HTTP connection again. */
    synchronized void disarm() {
        if (done) {
            return;
        }
        done = true;
        if (armed && endPoint.isFillInterested() && endPoint instanceof AbstractEndPoint watched) {
            watched.getFillInterest().onFail(new CancellationException("response complete"));
        }
    }

    @Override
    public void succeeded() {
        int filled;
        try {
            filled = endPoint.fill(BufferUtil.EMPTY_BUFFER);
        } catch (IOException broken) {
            filled = -1;
        }
        synchronized (this) {
            armed = false;
            if (done) {
                return;
            }
            if (filled >= 0) {
                // Bytes of a next request, or TLS housekeeping: kept by the endpoint for the HTTP connection.
                // Watching again would wake at once for them, so the watch ends here.
                done = true;
                return;
            }
            done = true;
        }
        onGone.run();
    }

    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            armed = false;
            if (done) {
                return;
            }
            done = true;
        }
        onGone.run();
    }
}
