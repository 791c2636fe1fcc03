package com.twingate.gateway.upstream;

import com.google.inject.Inject;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.UpstreamConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The configured API servers and which one serves a token's resource address (docs/upstream.md#routing). Owns each
 * upstream's credential source, so starting the router starts the token-file refreshes.
 */
public final class UpstreamRouter extends ContainerLifeCycle {

    private final Map<String, UpstreamConfig> byName = new LinkedHashMap<>();
    private final Map<String, UpstreamConfig> byResourceAddress = new LinkedHashMap<>();
    private final Map<String, BearerTokenSource> tokens = new LinkedHashMap<>();

    @Inject
    public UpstreamRouter(GatewayConfig config) {
        ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("upstream-token-refresh", true);
        addBean(scheduler);
        for (UpstreamConfig upstream : config.kubernetes().upstreams()) {
            byName.put(upstream.name(), upstream);
            upstream.resourceAddresses().forEach(address -> byResourceAddress.put(normalise(address), upstream));
            BearerTokenSource token = upstream.bearerTokenFile()
                    .map(file -> BearerTokenSource.fromFile(upstream.name(), file, config.kubernetes().tokenRefreshInterval(), scheduler))
                    .orElseGet(() -> BearerTokenSource.fixed(upstream.name(), upstream.bearerToken()));
            tokens.put(upstream.name(), token);
            addBean(token);
        }
    }

    /** The upstream for a token's {@code resource.address}: listed there, or the only one when none lists any. */
    public Optional<UpstreamConfig> route(String resourceAddress) {
        UpstreamConfig listed = byResourceAddress.get(normalise(resourceAddress));
        if (listed != null) {
            return Optional.of(listed);
        }
        if (byName.size() == 1 && byResourceAddress.isEmpty()) {
            return Optional.of(byName.values().iterator().next());
        }
        return Optional.empty();
    }

    public Optional<UpstreamConfig> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Iterable<UpstreamConfig> all() {
        return byName.values();
    }

    public BearerTokenSource credential(String upstreamName) {
        return tokens.get(upstreamName);
    }

    private static String normalise(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
