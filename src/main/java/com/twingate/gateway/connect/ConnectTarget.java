package com.twingate.gateway.connect;

import java.util.Optional;

/** The authority-form target of a CONNECT ({@code host:port}, IPv6 in brackets). */
final class ConnectTarget {

    private ConnectTarget() {}

    /** @return the host without port and brackets, or empty when the target is not host:port */
    static Optional<String> host(String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || colon == target.length() - 1) {
            return Optional.empty();
        }
        String host = target.substring(0, colon);
        String port = target.substring(colon + 1);
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5 || Integer.parseInt(port) > 65535) {
            return Optional.empty();
        }
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                return Optional.empty();
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("/") || host.contains("@")) {
            return Optional.empty();
        }
        return host.isBlank() ? Optional.empty() : Optional.of(host);
    }
}
