package com.twingate.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The whole validated configuration [§8]. Built only by {@link ConfigLoader}; never half-valid. */
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
        Optional<Path> recordingDirectory,
        LogFormat logFormat) {}
