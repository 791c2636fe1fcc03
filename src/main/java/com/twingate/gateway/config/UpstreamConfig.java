package com.twingate.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One Kubernetes API server. An {@code inCluster = true} entry is resolved by the loader into a
 * concrete address, CA file and token file, so everything downstream sees the same shape.
 *
 * @param address            {@code host:port}
 * @param resourceAddresses  token {@code resource.address} values routed here; empty = catch-all
 *                           (allowed only when it is the only upstream)
 */
public record UpstreamConfig(
        String name,
        boolean inCluster,
        String address,
        Path caFile,
        Optional<String> bearerToken,
        Optional<Path> bearerTokenFile,
        Optional<Path> clientCertificateFile,
        Optional<Path> clientKeyFile,
        List<String> resourceAddresses) {

    public UpstreamConfig {
        resourceAddresses = List.copyOf(resourceAddresses);
    }

    public String host() {
        return address.substring(0, address.lastIndexOf(':'));
    }

    public int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
