package com.twingate.gateway.audit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** {@code remote_addr} as Twingate's gateway writes it everywhere: {@code ip:port}, IPv6 in brackets. */
public final class RemoteAddress {

    private RemoteAddress() {}

    public static String of(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        InetAddress ip = inet.getAddress();
        String host = ip == null ? inet.getHostString() : ip.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
}
