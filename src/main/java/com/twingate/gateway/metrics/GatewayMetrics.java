package com.twingate.gateway.metrics;

import com.google.inject.Inject;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every metric the gateway exposes (docs/metrics.md), and the instrumentation points that record them.
 *
 * <p>Metrics are observers: every recording method catches and logs its own failures, so a broken
 * metric never breaks a user's connection.
 */
public final class GatewayMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMetrics.class);

    /** Bucket set T (docs/metrics.md): whole connections and exchanges, which may last for hours. */
    static final double[] CONNECTION_BUCKETS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
    /** Bucket set D (docs/metrics.md): single round trips. */
    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Bucket set S (docs/metrics.md). */
    static final double[] SIZE_BUCKETS = {100, 1e3, 1e4, 1e5, 1e6, 1e7};
    /** Bucket set R (docs/metrics.md). */
    static final double[] SESSION_BUCKETS = {1, 5, 10, 30, 60, 300, 600, 1800, 3600};

    /**
     * The methods a {@code method} label may name (HTTP and WebDAV, RFC 9110, 5789, 4918, 3253, 3648, 3744,
     * 4791, 5323, 5842); the client picks the method, so anything else is {@link #OTHER} — one series
     * per method sent would let a client grow {@code /metrics} without bound.
     */
    static final Set<String> KNOWN_METHODS = Set.of(
            "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
            "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
            "VERSION-CONTROL", "REPORT", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MKWORKSPACE", "UPDATE", "LABEL",
            "MERGE", "BASELINE-CONTROL", "MKACTIVITY", "ORDERPATCH", "ACL", "MKCALENDAR", "SEARCH",
            "BIND", "UNBIND", "REBIND");
    /** The label of every method outside {@link #KNOWN_METHODS}, and of a status outside 100–599. */
    static final String OTHER = "other";

    /** Status codes promhttp pre-initialises, so rate() sees the first failure as an increase. */
    private static final int[] SCRAPE_CODES = {200, 500, 503};

    private final Histogram tcpConnectionDuration;
    private final Counter tcpConnections;
    private final Gauge activeTcpConnections;
    private final Counter clientAuthentications;
    private final Histogram clientConnectionDuration;
    private final Gauge httpActiveRequests;
    private final Histogram httpRequestDuration;
    private final Histogram httpRequestSize;
    private final Counter httpRequests;
    private final Histogram httpResponseSize;
    private final Gauge apiServerActiveRequests;
    private final Histogram apiServerRequestDuration;
    private final Counter apiServerRequests;
    private final Histogram recordedSessionDuration;
    private final Counter recordingFailures;
    private final Counter scrapes;
    private final Gauge scrapesInFlight;
    private final Counter scrapeErrors;

    @Inject
    public GatewayMetrics(PrometheusRegistry registry) {
        tcpConnectionDuration = Histogram.builder()
                .name("twingate_gateway_tcp_connection_duration_seconds")
                .help("Duration of client TCP connections in seconds")
                .labelNames("connection_category")
                .classicOnly().classicUpperBounds(CONNECTION_BUCKETS)
                .register(registry);
        // client_java strips "_total" from counter names and appends it again on exposition.
        tcpConnections = Counter.builder()
                .name("twingate_gateway_tcp_connections_total")
                .help("Total number of client TCP connections processed")
                .labelNames("connection_category")
                .register(registry);
        activeTcpConnections = Gauge.builder()
                .name("twingate_gateway_active_tcp_connections")
                .help("Number of currently active client TCP connections")
                .register(registry);

        clientAuthentications = Counter.builder()
                .name("twingate_gateway_client_authentication_total")
                .help("Total number of HTTP CONNECT authentication attempts")
                .labelNames("code")
                .register(registry);
        clientConnectionDuration = Histogram.builder()
                .name("twingate_gateway_client_connection_duration_seconds")
                .help("Duration of HTTP CONNECT authentication attempt in seconds")
                .labelNames("code")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS)
                .register(registry);

        httpActiveRequests = Gauge.builder()
                .name("twingate_gateway_http_active_requests")
                .help("Number of currently active HTTP requests")
                .labelNames("type")
                .register(registry);
        httpRequestDuration = Histogram.builder()
                .name("twingate_gateway_http_request_duration_seconds")
                .help("Latencies of HTTP requests in seconds")
                .labelNames("type", "method", "code")
                .classicOnly().classicUpperBounds(CONNECTION_BUCKETS)
                .register(registry);
        httpRequestSize = Histogram.builder()
                .name("twingate_gateway_http_request_size_bytes")
                .help("Size of incoming HTTP request in bytes")
                .labelNames("type", "method", "code")
                .classicOnly().classicUpperBounds(SIZE_BUCKETS)
                .register(registry);
        httpRequests = Counter.builder()
                .name("twingate_gateway_http_requests_total")
                .help("Total number of HTTP requests processed")
                .labelNames("type", "method", "code")
                .register(registry);
        httpResponseSize = Histogram.builder()
                .name("twingate_gateway_http_response_size_bytes")
                .help("Size of outgoing HTTP response in bytes")
                .labelNames("type", "method", "code")
                .classicOnly().classicUpperBounds(SIZE_BUCKETS)
                .register(registry);

        apiServerActiveRequests = Gauge.builder()
                .name("twingate_gateway_api_server_active_requests")
                .help("Number of currently active requests from Gateway to API Server")
                .labelNames("type")
                .register(registry);
        apiServerRequestDuration = Histogram.builder()
                .name("twingate_gateway_api_server_request_duration_seconds")
                .help("Measures the initial HTTP request-response latency between Gateway and API Server in seconds."
                        + " For HTTP streaming, WebSocket, and SPDY connections, this metric captures only the setup"
                        + " time and not the duration of the data transfer.")
                .labelNames("type", "method", "code")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS)
                .register(registry);
        apiServerRequests = Counter.builder()
                .name("twingate_gateway_api_server_requests_total")
                .help("Total number of requests from Gateway to API Server processed")
                .labelNames("type", "method", "code")
                .register(registry);

        recordedSessionDuration = Histogram.builder()
                .name("twingate_gateway_recorded_session_duration_seconds")
                .help("Duration of WebSocket session in seconds")
                .classicOnly().classicUpperBounds(SESSION_BUCKETS)
                .register(registry);

        recordingFailures = Counter.builder()
                .name("twingate_gateway_recording_failures_total")
                .help("Session recordings that could not be made or written, by reason, and whether the session was refused, ended or went on")
                .labelNames("reason", "action")
                .register(registry);
        for (RecordingFailureReason reason : RecordingFailureReason.values()) {
            for (RecordingFailureReason.Action action : RecordingFailureReason.Action.values()) {
                recordingFailures.initLabelValues(reason.label(), action.label());
            }
        }

        scrapes = Counter.builder()
                .name("promhttp_metric_handler_requests_total")
                .help("Total number of scrapes, partitioned by HTTP status code")
                .labelNames("code")
                .register(registry);
        scrapesInFlight = Gauge.builder()
                .name("promhttp_metric_handler_requests_in_flight")
                .help("Current number of scrapes in progress")
                .register(registry);
        scrapeErrors = Counter.builder()
                .name("promhttp_metric_handler_errors_total")
                .help("Total number of internal errors encountered by the promhttp handler")
                .labelNames("cause")
                .register(registry);
        for (int code : SCRAPE_CODES) {
            scrapes.initLabelValues(Integer.toString(code));
        }
        for (ScrapeErrorCause cause : ScrapeErrorCause.values()) {
            scrapeErrors.initLabelValues(cause.label());
        }

        JvmMetrics.builder().register(registry);
    }

    /** A client TCP connection was accepted on the gateway port. */
    public void tcpConnectionOpened() {
        safely("tcp connection opened", activeTcpConnections::inc);
    }

    /** A client TCP connection accepted on the gateway port closed, after {@code duration}. */
    public void tcpConnectionClosed(ConnectionCategory category, Duration duration) {
        safely("tcp connection closed", () -> {
            activeTcpConnections.dec();
            tcpConnections.labelValues(category.label()).inc();
            tcpConnectionDuration.labelValues(category.label()).observe(seconds(duration));
        });
    }

    /** The CONNECT answer with status {@code code} was written, {@code sinceAccept} after the TCP accept. */
    public void clientAuthentication(int code, Duration sinceAccept) {
        safely("client authentication", () -> {
            String label = codeLabel(code);
            clientAuthentications.labelValues(label).inc();
            clientConnectionDuration.labelValues(label).observe(seconds(sinceAccept));
        });
    }

    /** A request reached the gateway's HTTP layer; the returned handle records how it ended. */
    public HttpRequest httpRequestStarted(RequestType type) {
        safely("http request started", () -> httpActiveRequests.labelValues(type.label()).inc());
        return new HttpRequest(type);
    }

    /** The gateway sent a request to the API server; the returned handle records the answer. */
    public ApiServerRequest apiServerRequestStarted(RequestType type) {
        safely("api server request started", () -> apiServerActiveRequests.labelValues(type.label()).inc());
        return new ApiServerRequest(type);
    }

    /** A recorded WebSocket or SPDY session ended after {@code duration}. */
    public void recordedSession(Duration duration) {
        safely("recorded session", () -> recordedSessionDuration.observe(seconds(duration)));
    }

    /** A session's recording failed for {@code reason}, and the session was {@code action}. */
    public void recordingFailed(RecordingFailureReason reason, RecordingFailureReason.Action action) {
        safely("recording failed", () -> recordingFailures.labelValues(reason.label(), action.label()).inc());
    }

    /** A scrape of {@code /metrics} began. */
    public void scrapeStarted() {
        safely("scrape started", scrapesInFlight::inc);
    }

    /** A scrape of {@code /metrics} ended with HTTP status {@code code}. */
    public void scrapeFinished(int code) {
        safely("scrape finished", () -> {
            scrapesInFlight.dec();
            scrapes.labelValues(codeLabel(code)).inc();
        });
    }

    /** A scrape of {@code /metrics} failed internally. */
    public void scrapeFailed(ScrapeErrorCause cause) {
        safely("scrape failed", () -> scrapeErrors.labelValues(cause.label()).inc());
    }

    /** One request on the gateway port, from its arrival to the end of its response (or session). */
    public final class HttpRequest {
        private final RequestType type;
        private final AtomicBoolean finished = new AtomicBoolean();

        private HttpRequest(RequestType type) {
            this.type = type;
        }

        /**
         * The exchange is over. Only the first call counts, so that the active-requests gauge cannot drift.
         *
         * @param requestBytes request line, headers and body
         * @param responseBytes response body bytes sent
         * @param duration the whole exchange; for an upgrade, the whole session
         */
        public void finished(String method, int code, long requestBytes, long responseBytes, Duration duration) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            safely("http request finished", () -> {
                httpActiveRequests.labelValues(type.label()).dec();
                String[] labels = {type.label(), methodLabel(method), codeLabel(code)};
                httpRequests.labelValues(labels).inc();
                httpRequestDuration.labelValues(labels).observe(seconds(duration));
                httpRequestSize.labelValues(labels).observe(requestBytes);
                httpResponseSize.labelValues(labels).observe(responseBytes);
            });
        }
    }

    /** One request from the gateway to the API server, until its response headers arrive. */
    public final class ApiServerRequest {
        private final RequestType type;
        private final AtomicBoolean ended = new AtomicBoolean();

        private ApiServerRequest(RequestType type) {
            this.type = type;
        }

        /** The API server's response headers arrived {@code duration} after the request was sent. */
        public void responseHeaders(String method, int code, Duration duration) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            safely("api server response headers", () -> {
                apiServerActiveRequests.labelValues(type.label()).dec();
                String[] labels = {type.label(), methodLabel(method), codeLabel(code)};
                apiServerRequests.labelValues(labels).inc();
                apiServerRequestDuration.labelValues(labels).observe(seconds(duration));
            });
        }

        /**
         * No response came (connection refused, reset, timeout). Like Go's promhttp round-tripper, this
         * records no status, since there is none; the gateway's own HTTP metrics show the error it answered.
         */
        public void failed() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            safely("api server request failed", () -> apiServerActiveRequests.labelValues(type.label()).dec());
        }
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** Lower case (docs/metrics.md) for a method of {@link #KNOWN_METHODS}, {@link #OTHER} for any other. */
    static String methodLabel(String method) {
        String upper = method.toUpperCase(Locale.ROOT);
        return KNOWN_METHODS.contains(upper) ? upper.toLowerCase(Locale.ROOT) : OTHER;
    }

    /**
     * The status as a number; one outside HTTP's classes is {@link #OTHER}, since an API server proxying
     * to a user's own service ({@code services/x/proxy}) answers with whatever status that service sends.
     */
    static String codeLabel(int code) {
        return code >= 100 && code <= 599 ? Integer.toString(code) : OTHER;
    }

    private static void safely(String what, Runnable recording) {
        try {
            recording.run();
        } catch (RuntimeException e) {
            LOG.warn("Recording the metric for '{}' failed; the connection is unaffected", what, e);
        }
    }
}
