package com.twingate.gateway.connect;

import java.util.Optional;

/** Chooses the upstream for a token's {@code resource.address} at CONNECT time (docs/upstream.md#routing). */
@FunctionalInterface
public interface UpstreamSelector {

    /** @return the upstream's name, or empty when no upstream serves this address (→ 400) */
    Optional<String> upstreamFor(String resourceAddress);
}
