package com.twingate.gateway.token;

import java.time.Duration;

/**
 * How the controller's JWK Set is fetched and kept [§3].
 *
 * @param cacheTtl           how long fetched keys are used before a refetch
 * @param minRefetchInterval at most one refetch per interval when a token names an unknown {@code kid}
 * @param httpTimeout        connect and read timeout of a fetch
 */
public record JwksOptions(Duration cacheTtl, Duration minRefetchInterval, Duration httpTimeout) {

    public static final JwksOptions DEFAULT = new JwksOptions(Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
}
