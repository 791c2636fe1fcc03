package com.twingate.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * Upstream API servers (docs/upstream.md) and how the gateway talks to them.
 *
 * @param connectTimeout        TCP + TLS connect to an upstream; exceeded → 504
 * @param responseHeaderTimeout from the request fully sent to the upstream's response headers; exceeded → 504
 * @param tokenRefreshInterval  how often {@code bearerTokenFile}s are re-read
 */
public record KubernetesConfig(
        List<UpstreamConfig> upstreams,
        Duration connectTimeout,
        Duration responseHeaderTimeout,
        Duration tokenRefreshInterval) {

    public KubernetesConfig {
        upstreams = List.copyOf(upstreams);
    }
}
