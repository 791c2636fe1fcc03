package com.twingate.gateway.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The fastest API server answer there can be, so the numbers belong to the paths in front of it: a
 * small Pod for every {@code GET}; for {@code ?watch=true}, one {@code ADDED} event and then the
 * watch held open, silent, as a quiet cluster's watch is.
 */
final class ApiStandIn extends Handler.Abstract {

    static final String POD_PATH = "/api/v1/namespaces/default/pods/web";
    static final String WATCH_PATH = "/api/v1/namespaces/default/pods?watch=true";

    private static final ByteBuffer POD = bytes("""
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default","resourceVersion":"1"}}""");
    private static final ByteBuffer ADDED = bytes("""
            {"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default"}}}
            """);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("Content-Type", "application/json");
        String query = request.getHttpURI().getQuery();
        if (query != null && query.contains("watch=true")) {
            // The handler's callback is never completed: the watch stays open until the proxy ends it, which
            // is watched for here; otherwise the benchmark's idle phases would leave thousands of streams and
            // descriptors to the idle timeout. Over HTTP/2 the proxy resets the stream (a failure of this
            // request); over HTTP/1.1 Jetty reads no connection whose request is being handled, so the
            // connection's close is watched for on its endpoint.
            if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2) {
                request.addFailureListener(callback::failed);
                response.write(false, ADDED.slice(), Callback.from(() -> {}, callback::failed));
                return true;
            }
            EndPoint proxy = request.getConnectionMetaData().getConnection().getEndPoint();
            response.write(false, ADDED.slice(), Callback.from(
                    () -> proxy.tryFillInterested(Callback.from(proxy::close, failure -> proxy.close())), failure -> proxy.close()));
            return true;
        }
        response.write(true, POD.slice(), callback);
        return true;
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
