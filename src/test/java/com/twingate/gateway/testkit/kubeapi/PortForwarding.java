package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * port-forward on a SPDY connection ({@code portforward.k8s.io}, kubelet's server side): for every
 * local connection kubectl opens a pair of streams, {@code streamType: error} and {@code streamType:
 * data}, with the same {@code requestID} and the {@code port}. Once both are open the pod's port (here:
 * 127.0.0.1) is dialled and bytes flow both ways; each side's end is passed on as a half-close. A
 * failure to connect is reported on the error stream, which kubectl prints.
 */
final class PortForwarding {

    private static final Logger LOG = LoggerFactory.getLogger(PortForwarding.class);

    private final Cluster.Pod pod;
    private final Map<String, Pair> pairs = new ConcurrentHashMap<>();

    PortForwarding(Cluster.Pod pod) {
        this.pod = pod;
    }

    void serve(SpdySession session) throws IOException {
        session.serve(this::opened);
    }

    private void opened(SpdyStream stream) {
        String type = stream.header("streamType");
        String requestId = stream.header("requestID");
        Pair pair = pairs.computeIfAbsent(requestId == null ? stream.header("port") : requestId, id -> new Pair());
        synchronized (pair) {
            if ("error".equals(type)) {
                pair.error = stream;
            } else if ("data".equals(type)) {
                pair.data = stream;
            }
            if (pair.error != null && pair.data != null) {
                pairs.values().remove(pair);
                Thread.ofVirtual().name("port-forward").start(() -> forward(pair.error, pair.data));
            }
        }
    }

    private void forward(SpdyStream error, SpdyStream data) {
        String port = data.header("port");
        try (Socket target = new Socket()) {
            try {
                target.setTcpNoDelay(true);
                target.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 5_000);
            } catch (IOException | RuntimeException e) {
                error.output().write(("error forwarding port " + port + " to pod " + pod.name() + ": " + e.getMessage())
                        .getBytes(StandardCharsets.UTF_8));
                error.output().close();
                data.output().close();
                return;
            }
            Thread toPod = Thread.ofVirtual().name("port-forward-in").start(() -> copy(data.input(), target));
            try (InputStream fromPod = target.getInputStream(); OutputStream toClient = data.output()) {
                fromPod.transferTo(toClient);
            }
            // kubectl half-closes its side once its local connection ends; a client that never does
            // must not keep this thread forever.
            toPod.join(Duration.ofMinutes(1));
            error.output().close();
        } catch (IOException e) {
            LOG.debug("port-forward connection to {} ended: {}", port, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(InputStream fromClient, Socket target) {
        try (fromClient) {
            fromClient.transferTo(target.getOutputStream());
            target.shutdownOutput();
        } catch (IOException e) {
            LOG.debug("port-forward data from the client ended: {}", e.toString());
        }
    }

    private static final class Pair {
        private SpdyStream error;
        private SpdyStream data;
    }
}
