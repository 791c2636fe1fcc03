package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket served by Jetty's WebSocket server, seen as blocking reads and writes of whole messages,
 * so the channel protocols can run on a thread of their own as they do over SPDY. Jetty does the
 * framing, masking, fragments and pings; a binary message is acknowledged (and the next one read off
 * the network) only when the protocol has taken it, which is the back-pressure. Public only because
 * Jetty calls its listener methods through method handles.
 */
public final class WebSocketConnection implements Session.Listener.AutoDemanding {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);
    private static final Received END = new Received(new Message(-1, new byte[0]), Callback.NOOP);

    /** A whole data message. */
    record Message(int opcode, byte[] payload) {}

    /** A message and what tells Jetty it was taken. */
    private record Received(Message message, Callback taken) {}

    /** A protocol spoken over the WebSocket; the WebSocket is closed when it returns. */
    @FunctionalInterface
    interface Protocol {
        void serve(WebSocketConnection socket) throws Exception;
    }

    private final Protocol protocol;
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Session session;

    WebSocketConnection(Protocol protocol) {
        this.protocol = protocol;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        session = opened;
        Thread.ofVirtual().name("kube-api-websocket").start(() -> {
            try {
                protocol.serve(this);
            } catch (Exception e) {
                LOG.debug("WebSocket pod stream ended: {}", e.toString());
            } finally {
                close();
            }
        });
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        received.add(new Received(new Message(BINARY, bytes), callback));
    }

    @Override
    public void onWebSocketText(String text) {
        received.add(new Received(new Message(TEXT, text.getBytes(StandardCharsets.UTF_8)), Callback.NOOP));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        received.add(END);
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("WebSocket failed: {}", cause.toString());
        received.add(END);
    }

    /** The next data message, or null once the client closed or the connection failed. */
    Message read() throws IOException {
        try {
            Received next = received.take();
            if (next == END) {
                received.add(END);
                return null;
            }
            next.taken().succeed();
            return next.message();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading the WebSocket", e);
        }
    }

    void send(int opcode, byte[] payload) throws IOException {
        if (closing.get()) {
            throw new IOException("the WebSocket is closing");
        }
        Callback.Completable sent = new Callback.Completable();
        if (opcode == TEXT) {
            session.sendText(new String(payload, StandardCharsets.UTF_8), sent);
        } else {
            session.sendBinary(ByteBuffer.wrap(payload), sent);
        }
        try {
            sent.get();
        } catch (ExecutionException e) {
            throw new IOException("sending on the WebSocket failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted sending on the WebSocket", e);
        }
    }

    /** A normal close, once; the client answers with its own, which {@link #read()} sees as the end. */
    void close() {
        if (closing.compareAndSet(false, true) && session != null) {
            session.close(StatusCode.NORMAL, null, Callback.NOOP);
        }
    }
}
