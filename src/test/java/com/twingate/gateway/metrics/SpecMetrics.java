package com.twingate.gateway.metrics;

import java.time.Duration;
import java.util.List;

/** The metrics table of docs/metrics.md and the monitoring wiki page, as the tests check them. */
final class SpecMetrics {

    record Spec(String name, String type, List<String> labels, List<Double> buckets, String help) {
    }

    private static final List<Double> T = List.of(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
            600.0, 1800.0, 3600.0);
    private static final List<Double> D = List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);
    private static final List<Double> S = List.of(100.0, 1e3, 1e4, 1e5, 1e6, 1e7);
    private static final List<Double> R = List.of(1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, 1800.0, 3600.0);
    private static final List<String> TMC = List.of("type", "method", "code");

    /** The gateway's own metrics (the dashboard must show each of them). */
    static final List<Spec> GATEWAY = List.of(
            new Spec("twingate_gateway_tcp_connection_duration_seconds", "histogram", List.of("connection_category"), T,
                    "Duration of client TCP connections in seconds"),
            new Spec("twingate_gateway_tcp_connections_total", "counter", List.of("connection_category"), null,
                    "Total number of client TCP connections processed"),
            new Spec("twingate_gateway_active_tcp_connections", "gauge", List.of(), null,
                    "Number of currently active client TCP connections"),
            new Spec("twingate_gateway_client_authentication_total", "counter", List.of("code"), null,
                    "Total number of HTTP CONNECT authentication attempts"),
            new Spec("twingate_gateway_client_connection_duration_seconds", "histogram", List.of("code"), D,
                    "Duration of HTTP CONNECT authentication attempt in seconds"),
            new Spec("twingate_gateway_http_active_requests", "gauge", List.of("type"), null,
                    "Number of currently active HTTP requests"),
            new Spec("twingate_gateway_http_request_duration_seconds", "histogram", TMC, T,
                    "Latencies of HTTP requests in seconds"),
            new Spec("twingate_gateway_http_request_size_bytes", "histogram", TMC, S,
                    "Size of incoming HTTP request in bytes"),
            new Spec("twingate_gateway_http_requests_total", "counter", TMC, null,
                    "Total number of HTTP requests processed"),
            new Spec("twingate_gateway_http_response_size_bytes", "histogram", TMC, S,
                    "Size of outgoing HTTP response in bytes"),
            new Spec("twingate_gateway_api_server_active_requests", "gauge", List.of("type"), null,
                    "Number of currently active requests from Gateway to API Server"),
            new Spec("twingate_gateway_api_server_request_duration_seconds", "histogram", TMC, D,
                    "Measures the initial HTTP request-response latency between Gateway and API Server in seconds."
                            + " For HTTP streaming, WebSocket, and SPDY connections, this metric captures only the"
                            + " setup time and not the duration of the data transfer."),
            new Spec("twingate_gateway_api_server_requests_total", "counter", TMC, null,
                    "Total number of requests from Gateway to API Server processed"),
            new Spec("twingate_gateway_recorded_session_duration_seconds", "histogram", List.of(), R,
                    "Duration of WebSocket session in seconds"));

    static final List<Spec> PROMHTTP = List.of(
            new Spec("promhttp_metric_handler_requests_total", "counter", List.of("code"), null,
                    "Total number of scrapes, partitioned by HTTP status code"),
            new Spec("promhttp_metric_handler_requests_in_flight", "gauge", List.of(), null,
                    "Current number of scrapes in progress"),
            new Spec("promhttp_metric_handler_errors_total", "counter", List.of("cause"), null,
                    "Total number of internal errors encountered by the promhttp handler"));

    private SpecMetrics() {
    }

    /** Calls every instrumentation point, with successes and failures, so that every series exists. */
    static void touchEverything(GatewayMetrics metrics) {
        metrics.tcpConnectionOpened();
        metrics.tcpConnectionOpened();
        metrics.tcpConnectionOpened();
        metrics.tcpConnectionClosed(ConnectionCategory.UNKNOWN, Duration.ofMillis(30));
        metrics.tcpConnectionClosed(ConnectionCategory.PROXY, Duration.ofSeconds(42));
        metrics.clientAuthentication(200, Duration.ofMillis(12));
        metrics.clientAuthentication(401, Duration.ofMillis(3));
        for (RequestType type : RequestType.values()) {
            metrics.httpRequestStarted(type).finished("GET", 200, 350, 4096, Duration.ofMillis(80));
            metrics.httpRequestStarted(type).finished("POST", 500, 1200, 20, Duration.ofMillis(5));
            metrics.apiServerRequestStarted(type).responseHeaders("GET", 200, Duration.ofMillis(20));
            metrics.apiServerRequestStarted(type).responseHeaders("POST", 503, Duration.ofMillis(2));
            metrics.apiServerRequestStarted(type).failed();
        }
        metrics.httpRequestStarted(RequestType.WEBSOCKET);
        metrics.apiServerRequestStarted(RequestType.SPDY);
        metrics.recordedSession(Duration.ofSeconds(95));
    }
}
