package com.twingate.gateway.token;

import java.time.Duration;

/**
 * How the controller's JWK Set is fetched and kept (docs/token.md).
 *
 * @param cacheTtl           how long fetched keys are used before a refresh is started (they stay in use
 *                           while the refresh runs or fails)
 * @param minRefetchInterval at most one fetch per interval, whatever asks for it
 * @param fetchTimeout       the whole of one fetch: connecting, the answer and its body. Shorter than
 *                           {@code connect.timeout}, so that a CONNECT waiting for the first keys is
 *                           answered (401, with the reason in the log) rather than cut off
 */
public record JwksOptions(Duration cacheTtl, Duration minRefetchInterval, Duration fetchTimeout) {

    public static final JwksOptions DEFAULT = new JwksOptions(Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
}
