package com.twingate.gateway.config;

import java.time.Duration;

/** When session recordings are flushed as log parts [§6]. */
public record AuditLogConfig(Duration flushInterval, long flushSizeThreshold) {}
