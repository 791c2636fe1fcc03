package com.twingate.gateway.testkit.kubeapi;

import java.util.List;

/**
 * What one request asked the API server to act as: its {@code Impersonate-User} and {@code Impersonate-Group}s;
 * and the HTTP version it came in ({@code HTTP/1.1}, {@code HTTP/2.0}).
 */
public record Impersonation(String method, String path, String user, List<String> groups, String protocol) {}
