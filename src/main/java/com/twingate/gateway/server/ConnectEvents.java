package com.twingate.gateway.server;

import com.google.inject.Inject;
import com.twingate.gateway.audit.AuditLog;
import com.twingate.gateway.audit.RemoteAddress;
import com.twingate.gateway.connect.ConnectListener;
import com.twingate.gateway.connect.ConnectOutcome;
import com.twingate.gateway.metrics.ConnectionCategory;
import com.twingate.gateway.metrics.GatewayMetrics;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the gateway port's events mean for the metrics (docs/metrics.md) and the log (docs/audit-log.md). */
public final class ConnectEvents implements ConnectListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectEvents.class);

    private final GatewayMetrics metrics;
    private final AuditLog audit;

    @Inject
    public ConnectEvents(GatewayMetrics metrics, AuditLog audit) {
        this.metrics = metrics;
        this.audit = audit;
    }

    @Override
    public void onOutcome(ConnectOutcome outcome, Optional<String> connectionId, SocketAddress remote, Duration sinceAccept) {
        switch (outcome) {
            // Kubelet probes every few seconds: neither an authentication nor worth a line.
            case ConnectOutcome.HealthCheck health -> { }
            case ConnectOutcome.Accepted accepted -> {
                metrics.clientAuthentication(outcome.status(), sinceAccept);
                audit.authentication(outcome.status(), Optional.empty(), Optional.of(accepted.identity().user()),
                        connectionId, RemoteAddress.of(remote));
            }
            case ConnectOutcome.Rejected rejected -> {
                metrics.clientAuthentication(outcome.status(), sinceAccept);
                audit.authentication(outcome.status(), Optional.of(rejected.reason()), Optional.empty(), connectionId,
                        RemoteAddress.of(remote));
            }
        }
    }

    @Override
    public void onTimeout(SocketAddress remote, Duration sinceAccept) {
        LOG.info("closed a connection from {} that sent no request within {} ms", RemoteAddress.of(remote),
                sinceAccept.toMillis());
    }

    @Override
    public void onConnectionOpened() {
        metrics.tcpConnectionOpened();
    }

    @Override
    public void onConnectionClosed(Optional<ConnectOutcome> outcome, Duration lifetime) {
        metrics.tcpConnectionClosed(category(outcome), lifetime);
    }

    /** A connection is {@code unknown} until it gets past the request on the outer TLS (docs/metrics.md). */
    static ConnectionCategory category(Optional<ConnectOutcome> outcome) {
        return switch (outcome.orElse(null)) {
            case ConnectOutcome.Accepted accepted -> ConnectionCategory.PROXY;
            case ConnectOutcome.HealthCheck health -> ConnectionCategory.HEALTH;
            case null, default -> ConnectionCategory.UNKNOWN;
        };
    }
}
