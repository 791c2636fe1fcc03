package com.twingate.gateway.upstream;

import com.twingate.gateway.lifecycle.RepeatingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own credential towards one API server. A token file is re-read on a schedule, not per
 * request, so a rotated projected service-account token is picked up (docs/upstream.md); a failed read keeps the
 * last good token.
 */
public final class BearerTokenSource extends RepeatingTask {

    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenSource.class);

    private final Optional<Path> file;
    private final String upstreamName;
    private volatile Optional<String> token;

    private BearerTokenSource(String upstreamName, Optional<String> token, Optional<Path> file, Duration refreshInterval,
                              Scheduler scheduler) {
        super(scheduler, refreshInterval);
        this.upstreamName = upstreamName;
        this.token = token;
        this.file = file;
    }

    static BearerTokenSource fixed(String upstreamName, Optional<String> token) {
        return new BearerTokenSource(upstreamName, token, Optional.empty(), Duration.ZERO, null);
    }

    static BearerTokenSource fromFile(String upstreamName, Path file, Duration refreshInterval, Scheduler scheduler) {
        return new BearerTokenSource(upstreamName, Optional.empty(), Optional.of(file), refreshInterval, scheduler);
    }

    /** The token to send, or empty when the upstream authenticates the gateway by client certificate. */
    public Optional<String> current() {
        return token;
    }

    @Override
    protected void doStart() throws Exception {
        if (file.isPresent()) {
            token = Optional.of(read(file.get()));
            startRepeating();
        }
    }

    @Override
    protected void runOnce() {
        try {
            token = Optional.of(read(file.orElseThrow()));
        } catch (IOException e) {
            LOG.warn("cannot re-read the token file of upstream {}; keeping the last token: {}", upstreamName, e.getMessage());
        }
    }

    private static String read(Path file) throws IOException {
        String token = Files.readString(file).strip();
        if (token.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        return token;
    }
}
