package com.twingate.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The gateway's own certificate pair (PEM), used for both the outer and the inner TLS (docs/client-protocol.md), and the
 * TLS implementation for those and for the connections to the API servers.
 */
public record TlsConfig(Path certificateFile, Path privateKeyFile, Duration reloadInterval, TlsProvider provider) {}
