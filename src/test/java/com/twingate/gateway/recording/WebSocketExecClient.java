package com.twingate.gateway.recording;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * exec over WebSocket, {@code v5.channel.k8s.io}, with Jetty's WebSocket client (public: Jetty calls the
 * listener methods through method handles).
 */
public final class WebSocketExecClient extends ExecClient implements Session.Listener.AutoDemanding {

    private final WebSocketClient client;
    private final Session session;

    WebSocketExecClient(URI https, SSLContext trust) throws Exception {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setSslContext(trust);
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        client = new WebSocketClient(new HttpClient(new HttpClientTransportOverHTTP(connector)));
        client.start();
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        upgrade.setSubProtocols("v5.channel.k8s.io");
        URI wss = URI.create(https.toString().replaceFirst("^https:", "wss:"));
        session = client.connect(this, wss, upgrade).get(20, TimeUnit.SECONDS);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        int stream = payload.get() & 0xff;
        byte[] data = new byte[payload.remaining()];
        payload.get(data);
        received(stream, data);
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        ended.complete(null);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        ended.completeExceptionally(cause);
    }

    @Override
    void stdin(String text) throws Exception {
        send(0, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    void closeStdin() throws Exception {
        send(255, new byte[] {0});
    }

    @Override
    void resize(int width, int height) throws Exception {
        send(4, resizeMessage(width, height));
    }

    private void send(int channel, byte[] data) throws Exception {
        ByteBuffer message = ByteBuffer.allocate(data.length + 1).put((byte) channel).put(data).flip();
        Callback.Completable sent = new Callback.Completable();
        session.sendBinary(message, sent);
        sent.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        session.close();
        client.stop();
    }
}
