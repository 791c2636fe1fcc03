package com.twingate.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The whole validated configuration. Built only by {@link ConfigLoader}; never half-valid.
 *
 * @param shutdownTimeout  on SIGTERM, how long requests and streams (exec included) get to finish
 * @param halfCloseTimeout after one side of an upgraded stream ended, how long the other side gets
 * @param tcpKeepAlive     how a vanished Twingate Client or API server is found out
 * @param http2            offer HTTP/2 to kubectl (ALPN on its TLS) and speak it to API servers that offer it
 */
public record GatewayConfig(
        TwingateConfig twingate,
        String bindAddress,
        int port,
        int metricsPort,
        Duration connectTimeout,
        Duration idleTimeout,
        TlsConfig tls,
        KubernetesConfig kubernetes,
        AuditLogConfig auditLog,
        RecordingConfig recording,
        LogFormat logFormat,
        Duration shutdownTimeout,
        Duration halfCloseTimeout,
        KeepAliveConfig tcpKeepAlive,
        boolean http2) {

    /** Where each recorded session also goes as a {@code .cast} file, when set. */
    public Optional<Path> recordingDirectory() {
        return recording.directory();
    }
}
