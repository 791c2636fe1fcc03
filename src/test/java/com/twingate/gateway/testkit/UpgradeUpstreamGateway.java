package com.twingate.gateway.testkit;

import java.nio.file.Path;

/**
 * The gateway in front of the wire-level API server stand-in ({@link UpgradeUpstream}), with the token
 * user alice in group devs: the set-up of the tests that check exact bytes on the upstream side.
 *
 * @param apiPki the upstream's CA, for tests that start further upstreams beside it
 */
public record UpgradeUpstreamGateway(GatewayHarness harness, UpgradeUpstream upstream, TestPki apiPki) implements AutoCloseable {

    /** @param extraHocon configuration added to the gateway's (empty for none) */
    public static UpgradeUpstreamGateway start(Path dir, String extraHocon) throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        UpgradeUpstream upstream = new UpgradeUpstream(apiPki.issue("api"));
        GatewayHarness harness = GatewayHarness.start(dir,
                GatewayHarness.upstream("main", upstream.address(), apiPki.caFile(), "bearerToken = sa"), extraHocon);
        harness.tokens(token -> token.user("u-1", "alice", "devs"));
        return new UpgradeUpstreamGateway(harness, upstream, apiPki);
    }

    @Override
    public void close() throws Exception {
        try {
            harness.close();
        } finally {
            upstream.close();
        }
    }
}
