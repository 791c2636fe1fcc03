package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * port-forward over WebSocket as kubelet serves it to clients other than kubectl 1.31+ (the official
 * Python client, for one): subprotocol {@code v4.channel.k8s.io} or {@code v4.base64.channel.k8s.io}, the
 * ports in the query ({@code ports=8080}, repeated or comma-separated), and for the i-th port a data
 * channel {@code 2i} and an error channel {@code 2i+1}. Each channel's first message is its port as two
 * bytes, little-endian; then the data channel carries the connection's bytes both ways, and a failure is
 * text on the error channel. One WebSocket is one connection per port; it closes when all have ended.
 */
final class WebSocketPortForwarding {

    static final List<String> PROTOCOLS = List.of(WebSocketCommandChannels.V4, WebSocketCommandChannels.V4_BASE64);

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketPortForwarding.class);

    private final Cluster.Pod pod;
    private final List<Integer> ports;

    private WebSocketPortForwarding(Cluster.Pod pod, List<Integer> ports) {
        this.pod = pod;
        this.ports = ports;
    }

    /** The ports of the request's query, or a 400 the way the API server words it. */
    static WebSocketPortForwarding of(Cluster.Pod pod, List<String> portParameters) {
        if (portParameters == null || portParameters.isEmpty()) {
            throw ApiError.badRequest("query parameter \"ports\" is required");
        }
        List<Integer> ports = new ArrayList<>();
        for (String parameter : portParameters) {
            for (String port : parameter.split(",")) {
                int number;
                try {
                    number = Integer.parseInt(port.strip());
                } catch (NumberFormatException e) {
                    throw ApiError.badRequest("unable to parse \"" + parameter + "\" as a port");
                }
                if (number < 1 || number > 65535) {
                    throw ApiError.badRequest("port \"" + parameter + "\" must be > 0");
                }
                ports.add(number);
            }
        }
        return new WebSocketPortForwarding(pod, List.copyOf(ports));
    }

    void serve(ChannelFraming frames) throws IOException, InterruptedException {
        List<Socket> targets = new ArrayList<>();
        List<Thread> copies = new ArrayList<>();
        try {
            for (int i = 0; i < ports.size(); i++) {
                byte[] port = {(byte) (ports.get(i) & 0xff), (byte) (ports.get(i) >> 8)};
                frames.send(2 * i, port, 0, 2);
                frames.send(2 * i + 1, port, 0, 2);
            }
            for (int i = 0; i < ports.size(); i++) {
                Socket target = connect(frames, i);
                targets.add(target);
                if (target != null) {
                    int channel = 2 * i;
                    copies.add(Thread.ofVirtual().name("port-forward-out").start(() -> fromPod(target, frames, channel)));
                }
            }
            Thread.ofVirtual().name("port-forward-in").start(() -> toPods(frames, targets));
            for (Thread copy : copies) {
                copy.join();
            }
        } finally {
            for (Socket target : targets) {
                if (target != null) {
                    target.close();
                }
            }
        }
    }

    /** The pod's port (here: 127.0.0.1), or null after telling the client why not on the error channel. */
    private Socket connect(ChannelFraming frames, int index) throws IOException {
        Socket target = new Socket();
        try {
            target.setTcpNoDelay(true);
            target.connect(new InetSocketAddress("127.0.0.1", ports.get(index)), 5_000);
            return target;
        } catch (IOException e) {
            target.close();
            byte[] message = ("error forwarding port " + ports.get(index) + " to pod " + pod.name() + ": " + e.getMessage())
                    .getBytes(StandardCharsets.UTF_8);
            frames.send(2 * index + 1, message, 0, message.length);
            return null;
        }
    }

    /** The pod's bytes to the client until the pod's side ends; the WebSocket closes when every port's has. */
    private static void fromPod(Socket target, ChannelFraming frames, int channel) {
        byte[] buffer = new byte[32 * 1024];
        try (InputStream in = target.getInputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                frames.send(channel, buffer, 0, n);
            }
        } catch (IOException e) {
            LOG.debug("port-forward data from the pod ended: {}", e.toString());
        }
    }

    /** The client's data messages to the pod's ports; its close closes them. */
    private static void toPods(ChannelFraming frames, List<Socket> targets) {
        try {
            for (byte[] payload = frames.read(); payload != null; payload = frames.read()) {
                int channel = payload.length == 0 ? -1 : payload[0] & 0xff;
                if (channel % 2 != 0 || channel / 2 >= targets.size() || targets.get(channel / 2) == null) {
                    continue;
                }
                OutputStream out = targets.get(channel / 2).getOutputStream();
                out.write(Arrays.copyOfRange(payload, 1, payload.length));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("port-forward data from the client ended: {}", e.toString());
        } finally {
            for (Socket target : targets) {
                try {
                    if (target != null) {
                        target.close();
                    }
                } catch (IOException ignored) {
                    // Closing is all that is left to do.
                }
            }
        }
    }
}
