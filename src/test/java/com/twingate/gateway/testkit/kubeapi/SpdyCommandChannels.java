package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * exec and attach over SPDY/3.1 (kubelet's {@code remotecommand} server): kubectl opens one stream per
 * channel, typed by its {@code streamType} header, and the command starts once every stream the query
 * asked for is open. {@code v4.channel.k8s.io} reports the end as a JSON {@code Status} on the error
 * stream; the older versions as a plain message.
 */
final class SpdyCommandChannels implements CommandChannels {

    /** In the server's order of preference. */
    static final List<String> PROTOCOLS = List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io");

    private static final Logger LOG = LoggerFactory.getLogger(SpdyCommandChannels.class);
    /** kubectl opens all of its streams right after the 101; a client that does not is broken. */
    private static final Duration STREAMS_TIMEOUT = Duration.ofSeconds(30);

    private final SpdySession session;
    private final String protocol;
    private final Map<String, SpdyStream> streams = new ConcurrentHashMap<>();
    private final List<String> expected;
    private final CountDownLatch allOpen;
    private final TerminalSizes sizes = new TerminalSizes();
    private volatile boolean gone;

    SpdyCommandChannels(SpdySession session, String protocol, CommandRequest request) {
        this.session = session;
        this.protocol = protocol;
        List<String> types = new ArrayList<>(List.of("error"));
        if (request.stdin()) {
            types.add("stdin");
        }
        if (request.stdout()) {
            types.add("stdout");
        }
        if (request.stderrStream()) {
            types.add("stderr");
        }
        if (request.tty() && !protocol.equals("channel.k8s.io") && !protocol.equals("v2.channel.k8s.io")) {
            types.add("resize");
        }
        this.expected = List.copyOf(types);
        this.allOpen = new CountDownLatch(expected.size());
    }

    /** Reads frames on this thread; {@code command} runs on its own once the streams are open. */
    void serve(Consumer<CommandChannels> command) throws IOException {
        Thread.ofVirtual().name("kube-api-command").start(() -> {
            try {
                if (!allOpen.await(STREAMS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("the client opened {} of the streams {} within {}", streams.keySet(), expected, STREAMS_TIMEOUT);
                    session.goAway();
                    return;
                }
                command.accept(this);
            } catch (InterruptedException | IOException e) {
                LOG.debug("command session ended: {}", e.toString());
            }
        });
        try {
            session.serve(this::opened);
        } finally {
            gone = true;
        }
    }

    private void opened(SpdyStream stream) {
        String type = stream.header("streamType");
        if (type != null && expected.contains(type) && streams.putIfAbsent(type, stream) == null) {
            if (type.equals("resize")) {
                Thread.ofVirtual().name("kube-api-resize").start(() -> readSizes(stream));
            }
            allOpen.countDown();
        }
    }

    private void readSizes(SpdyStream stream) {
        try {
            sizes.readAll(stream.input());
        } catch (IOException e) {
            LOG.debug("resize stream ended: {}", e.toString());
        }
    }

    @Override
    public InputStream stdin() {
        SpdyStream stdin = streams.get("stdin");
        return stdin == null ? InputStream.nullInputStream() : stdin.input();
    }

    @Override
    public OutputStream stdout() {
        return output("stdout");
    }

    @Override
    public OutputStream stderr() {
        return output("stderr");
    }

    private OutputStream output(String type) {
        SpdyStream stream = streams.get(type);
        return stream == null ? OutputStream.nullOutputStream() : stream.output();
    }

    @Override
    public TerminalSizes sizes() {
        return sizes;
    }

    @Override
    public boolean clientGone() {
        return gone;
    }

    @Override
    public void finish(CommandResult result) throws IOException {
        try {
            OutputStream error = output("error");
            error.write(protocol.equals("v4.channel.k8s.io") ? Statuses.JSON.writeValueAsBytes(result.status())
                    : result.legacyMessage().getBytes(StandardCharsets.UTF_8));
            for (String type : List.of("stdout", "stderr", "error")) {
                output(type).close();
            }
        } finally {
            session.goAway();
        }
    }
}
