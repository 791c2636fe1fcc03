package com.twingate.gateway.config;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP keep-alive on the gateway's sockets (Twingate Clients' and the API servers'): a peer that
 * vanishes without closing (a laptop lid shut, a node gone) is found dead after about
 * {@code idle + interval × probes} of silence, and whatever it held — an exec tunnel, a quiet watch —
 * is freed. Quiet is not dead: an idle shell answers the probes and stays open.
 *
 * @param idle     silence before the first probe
 * @param interval between unanswered probes
 * @param probes   unanswered probes that declare the peer dead
 */
public record KeepAliveConfig(Duration idle, Duration interval, int probes) {

    public void applyTo(NetworkChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        // Linux and macOS have the per-socket options; elsewhere the system's keep-alive timers apply.
        if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
            channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, seconds(idle));
            channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(interval));
            channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, probes);
        }
    }

    private static int seconds(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toSeconds()));
    }
}
