package com.twingate.gateway.config;

import java.net.URI;

/**
 * Where tokens come from (docs/token.md). {@code jwksUrl} and {@code issuer} are always resolved: either given
 * explicitly or derived from {@code network} and {@code host}.
 */
public record TwingateConfig(String network, String host, URI jwksUrl, String issuer) {}
