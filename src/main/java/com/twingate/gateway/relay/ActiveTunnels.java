package com.twingate.gateway.relay;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Every open tunnel, so that shutdown drains them like in-flight requests: Jetty's graceful stop
 * waits for this to empty (up to the shutdown timeout) before it closes the connectors, and with them
 * whatever tunnels are left.
 */
public final class ActiveTunnels implements Graceful {

    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private final Duration linger;
    private final Graceful.Shutdown drained = new Graceful.Shutdown(this) {
        @Override
        public boolean isShutdownDone() {
            return open.isEmpty();
        }
    };

    /** @param linger how long one direction may go on after the other ended, before both are closed */
    public ActiveTunnels(Duration linger) {
        this.linger = linger;
    }

    /**
     * A tunnel between kubectl's endpoint and the API server's; it relays once both ends' connections
     * are installed on their endpoints.
     */
    public Tunnel open(EndPoint client, EndPoint server, Executor executor, ByteBufferPool buffers, Scheduler scheduler,
                       RelayTap tap, UpgradedStream stream) {
        Tunnel tunnel = new Tunnel(client, server, executor, buffers, scheduler, linger, tap, stream, this::closed);
        open.add(tunnel);
        return tunnel;
    }

    public int size() {
        return open.size();
    }

    private void closed(Tunnel tunnel) {
        open.remove(tunnel);
        drained.check();
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        return drained.shutdown();
    }

    @Override
    public boolean isShutdown() {
        return drained.isShutdown();
    }
}
