package com.twingate.gateway.token;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's signing keys (docs/token.md), fetched so that nothing can hang on the controller:
 *
 * <ul>
 *   <li>every fetch has one overall deadline ({@link JwksOptions#fetchTimeout()}): connecting, the
 *       answer and the whole body — a key set trickling in a byte at a time is abandoned like a silent one;
 *   <li>fetches are asynchronous, one at a time, and at most two per {@link JwksOptions#minRefetchInterval()};
 *   <li>keys once fetched stay in use while a refresh is slow or failing: a caller whose key is cached
 *       never waits; only a caller with no usable key (nothing fetched yet, or an unknown {@code kid})
 *       waits, and for at most the in-flight fetch's deadline;
 *   <li>the log says when the state changes — keys fetched, unavailable (with the reason), available
 *       again — not on every attempt.
 * </ul>
 */
public final class SigningKeys implements JWKSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
    static final int MAX_BYTES = 1024 * 1024;

    private final URI url;
    private final JwksOptions options;
    private final Clock clock;
    private final HttpClient http;
    private final Object lock = new Object();
    private volatile Fetched fetched;
    private volatile String lastFailure;
    private CompletableFuture<Fetched> inFlight;
    /** The two latest fetch attempts, older first. */
    private final Instant[] attempts = {Instant.MIN, Instant.MIN};
    private boolean failing;

    /** Keys and when they came. */
    private record Fetched(JWKSet keys, Instant at) {}

    public SigningKeys(URI url, JwksOptions options, Clock clock) {
        this.url = url;
        this.options = options;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.fetchTimeout())
                .proxy(ProxySelector.getDefault())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** Starts the first fetch and returns at once; the future completes when it is over, either way. */
    public CompletableFuture<Void> prefetch() {
        CompletableFuture<Fetched> fetch;
        synchronized (lock) {
            fetch = startFetch(clock.instant());
        }
        return fetch.handle((keys, failure) -> null);
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        Instant now = clock.instant();
        Fetched current = fetched;
        List<JWK> cached = current == null ? List.of() : selector.select(current.keys());
        boolean fresh = current != null && current.at().plus(options.cacheTtl()).isAfter(now);
        if (!cached.isEmpty()) {
            if (!fresh) {
                refreshInBackground(now);
            }
            return cached;
        }
        // No usable key: wait for a fetch (started now unless one is running or the rate limit forbids it).
        CompletableFuture<Fetched> fetch;
        synchronized (lock) {
            fetch = inFlight != null ? inFlight : mayFetch(now) ? startFetch(now) : null;
        }
        if (fetch != null) {
            awaitQuietly(fetch);
        }
        Fetched after = fetched;
        if (after == null) {
            throw new KeySourceException("nothing fetched from " + url + " yet: "
                    + (lastFailure == null ? "the first fetch is still running" : lastFailure));
        }
        return selector.select(after.keys());
    }

    private void refreshInBackground(Instant now) {
        synchronized (lock) {
            if (inFlight == null && mayFetch(now)) {
                startFetch(now);
            }
        }
    }

    /**
     * Two fetches per interval, as Nimbus's rate limit allows: a key rotated just after a fetch is still
     * picked up at once, while tokens naming made-up keys cannot make the gateway hammer the controller.
     */
    private boolean mayFetch(Instant now) {
        return !attempts[0].plus(options.minRefetchInterval()).isAfter(now);
    }

    /**
     * Called holding {@link #lock}. The returned future completes once the outcome is recorded, so a
     * caller that waited for it finds the new keys in place.
     */
    private CompletableFuture<Fetched> startFetch(Instant now) {
        if (inFlight != null) {
            return inFlight;
        }
        attempts[0] = attempts[1];
        attempts[1] = now;
        CompletableFuture<Fetched> recorded = fetch().whenComplete(this::finished);
        // A fetch that failed at once has already been recorded (and cleared inFlight) on this thread.
        inFlight = recorded.isDone() ? null : recorded;
        return recorded;
    }

    private CompletableFuture<Fetched> fetch() {
        Duration deadline = options.fetchTimeout();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(deadline).header("Accept", "application/json").GET().build();
        CompletableFuture<HttpResponse<byte[]>> response;
        try {
            response = http.sendAsync(request, HttpResponse.BodyHandlers.limiting(HttpResponse.BodyHandlers.ofByteArray(), MAX_BYTES));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // Cancelling aborts the exchange (and its connection), however far the answer got.
        CompletableFuture.delayedExecutor(deadline.toMillis(), TimeUnit.MILLISECONDS).execute(() -> response.cancel(true));
        return response.handle((answer, failure) -> {
            if (failure != null) {
                throw new CompletionException(new KeySourceException(describe(unwrap(failure), deadline)));
            }
            if (answer.statusCode() != 200) {
                throw new CompletionException(new KeySourceException("HTTP " + answer.statusCode()));
            }
            try {
                return new Fetched(JWKSet.parse(new String(answer.body(), StandardCharsets.UTF_8)), clock.instant());
            } catch (ParseException e) {
                throw new CompletionException(new KeySourceException("not a JWK Set: " + e.getMessage()));
            }
        });
    }

    private void finished(Fetched keys, Throwable failure) {
        Fetched before = fetched;
        boolean wasFailing;
        synchronized (lock) {
            inFlight = null;
            wasFailing = failing;
            failing = failure != null;
            if (keys != null) {
                fetched = keys;
            }
        }
        if (failure != null) {
            String reason = unwrap(failure).getMessage();
            lastFailure = reason;
            if (!wasFailing) {
                LOG.warn("cannot fetch signing keys from {}: {}; {}", url, reason, before == null
                        ? "tokens cannot be verified until it answers"
                        : "verifying with the " + before.keys().size() + " keys fetched at " + before.at() + " meanwhile");
            }
            return;
        }
        lastFailure = null;
        if (wasFailing) {
            LOG.info("signing keys from {} are available again: {} keys", url, keys.keys().size());
        } else if (before == null) {
            LOG.info("fetched {} signing keys from {}", keys.keys().size(), url);
        } else if (!keyIds(before).equals(keyIds(keys))) {
            LOG.info("the signing keys from {} changed: now {}", url, keyIds(keys));
        }
    }

    private static Set<String> keyIds(Fetched fetched) {
        return fetched.keys().getKeys().stream().map(key -> String.valueOf(key.getKeyID())).collect(Collectors.toSet());
    }

    /** Waits for a fetch, which ends by its own deadline; its outcome is read from the state it leaves. */
    private void awaitQuietly(CompletableFuture<Fetched> fetch) {
        try {
            fetch.get(options.fetchTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // The state says what happened; a fetch that outlives twice its deadline is treated as failed.
        }
    }

    private int port() {
        return url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private String describe(Throwable failure, Duration deadline) {
        if (failure instanceof CancellationException || failure instanceof HttpTimeoutException) {
            return "no complete answer within " + deadline.toMillis() + " ms";
        }
        if (failure instanceof ConnectException) {
            // The JDK's HttpClient says no more than the exception's class when a connection is refused.
            return "cannot connect to " + url.getHost() + ":" + port() + " (refused or unreachable)";
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !message.isBlank()) {
                return failure.getClass().getSimpleName() + ": " + message;
            }
        }
        return failure.getClass().getSimpleName();
    }
}
