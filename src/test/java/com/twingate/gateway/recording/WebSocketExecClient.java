package com.twingate.gateway.recording;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * exec over WebSocket with Jetty's WebSocket client (public: Jetty calls the listener methods through
 * method handles): {@code v5.channel.k8s.io} binary messages, or {@code v4.base64.channel.k8s.io} text
 * messages (channel digit, then base64).
 */
public final class WebSocketExecClient extends ExecClient implements Session.Listener.AutoDemanding {

    static final String V5 = "v5.channel.k8s.io";
    static final String V4_BASE64 = "v4.base64.channel.k8s.io";

    static final String V4 = "v4.channel.k8s.io";

    private final WebSocketClient client;
    private final Session session;
    private final boolean base64;
    /** Sends channel messages as text frames on a binary protocol, as the official Python client does. */
    private boolean textFrames;

    WebSocketExecClient(URI https, SSLContext trust, String subprotocol) throws Exception {
        this(https, trust, subprotocol, upgrade -> { });
    }

    /** @param upgrade adds to the upgrade request (headers, extensions offered) */
    WebSocketExecClient(URI https, SSLContext trust, String subprotocol, Consumer<ClientUpgradeRequest> upgrade) throws Exception {
        base64 = subprotocol.equals(V4_BASE64);
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setSslContext(trust);
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        client = new WebSocketClient(new HttpClient(new HttpClientTransportOverHTTP(connector)));
        client.start();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setSubProtocols(subprotocol);
        upgrade.accept(request);
        URI wss = URI.create(https.toString().replaceFirst("^https:", "wss:"));
        session = client.connect(this, wss, request).get(20, TimeUnit.SECONDS);
    }

    WebSocketExecClient withTextFrames() {
        textFrames = true;
        return this;
    }

    /** The extensions the gateway's 101 agreed to. */
    java.util.List<String> negotiatedExtensions() {
        return session.getUpgradeResponse().getExtensions().stream().map(Object::toString).toList();
    }

    /** One text frame as it stands, whatever the protocol makes of it. */
    void sendRawText(String text) throws Exception {
        Callback.Completable sent = new Callback.Completable();
        session.sendText(text, sent);
        sent.get(10, TimeUnit.SECONDS);
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
    public void onWebSocketText(String message) {
        received(message.charAt(0) - '0', Base64.getDecoder().decode(message.substring(1)));
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
        if (base64) {
            throw new UnsupportedOperationException("only v5 can close stdin alone");
        }
        send(255, new byte[] {0});
    }

    @Override
    void resize(int width, int height) throws Exception {
        send(4, resizeMessage(width, height));
    }

    private void send(int channel, byte[] data) throws Exception {
        Callback.Completable sent = new Callback.Completable();
        if (base64) {
            session.sendText(channel + Base64.getEncoder().encodeToString(data), sent);
        } else if (textFrames) {
            session.sendText((char) channel + new String(data, StandardCharsets.UTF_8), sent);
        } else {
            session.sendBinary(ByteBuffer.allocate(data.length + 1).put((byte) channel).put(data).flip(), sent);
        }
        sent.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        session.close();
        client.stop();
    }
}
