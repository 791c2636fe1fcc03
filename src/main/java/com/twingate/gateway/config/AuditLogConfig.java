package com.twingate.gateway.config;

import java.time.Duration;

/** When session recordings are flushed as log parts (docs/recording.md). */
public record AuditLogConfig(Duration flushInterval, long flushSizeThreshold) {}
