package com.twingate.gateway.proxy;

import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.ConnectionPool;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.MultiplexConnectionPool;
import org.eclipse.jetty.util.ConcurrentPool;

/**
 * The upstream connections of one destination, HTTP/2 multiplexed or HTTP/1.1, whichever ALPN gave.
 *
 * <p>Jetty counts a connection still being opened for one request, so a burst of requests (a
 * controller's informers starting, many kubectl at once) opened one HTTP/2 connection each before the
 * first had said how many streams it takes: 250 watches at once opened 171 connections. Here a
 * connection being opened counts for {@code expectedStreams} (an API server takes 100), until one has
 * opened as HTTP/1.1, after which each counts for one again. An open connection takes what it says:
 * an HTTP/2 one the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, an HTTP/1.1 one a single request.
 */
final class ApiServerConnectionPool extends MultiplexConnectionPool {

    ApiServerConnectionPool(Destination destination, int maxConnections, int expectedStreams) {
        super(destination, () -> new ConcurrentPool<>(ConcurrentPool.StrategyType.FIRST, maxConnections,
                ApiServerConnectionPool::requestsAtOnce), expectedStreams);
    }

    private static int requestsAtOnce(Connection connection) {
        return connection instanceof ConnectionPool.MaxMultiplexable multiplexed ? multiplexed.getMaxMultiplex() : 1;
    }

    @Override
    protected void onCreated(Connection connection) {
        if (!(connection instanceof ConnectionPool.MaxMultiplexable)) {
            // The server did not take h2: the next connections are HTTP/1.1 too, one request each.
            setInitialMaxMultiplex(1);
        }
        super.onCreated(connection);
    }
}
