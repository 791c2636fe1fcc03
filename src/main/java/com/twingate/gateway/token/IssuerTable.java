package com.twingate.gateway.token;

import java.util.Map;
import java.util.Optional;

/** The token issuer each Twingate host signs with (docs/token.md). */
public final class IssuerTable {

    private static final Map<String, String> ISSUERS = Map.of(
            "twingate.com", "twingate",
            "stg.opstg.com", "twingate-stg",
            "dev.opstg.com", "twingate-dev",
            "test", "twingate-local");

    private IssuerTable() {}

    public static Optional<String> issuerFor(String host) {
        return Optional.ofNullable(ISSUERS.get(host));
    }
}
