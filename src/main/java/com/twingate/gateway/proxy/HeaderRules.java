package com.twingate.gateway.proxy;

import com.twingate.gateway.connect.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Every header rule for what reaches the API server, in one place, for plain requests and upgrades
 * alike: the client's headers minus anything that could carry an identity or a hop-by-hop meaning,
 * plus the gateway's credential and the impersonation of the authenticated user. A user can never
 * reach the API server as anyone else.
 */
public final class HeaderRules {

    public static final String IMPERSONATE_USER = "Impersonate-User";
    public static final String IMPERSONATE_GROUP = "Impersonate-Group";
    private static final Set<String> IDENTITY_HEADERS = Set.of(
            "authorization", "proxy-authorization", "impersonate-user", "impersonate-group", "impersonate-uid");
    /** Prefixes of identity headers: extra impersonation fields, and what an authenticating front proxy asserts. */
    private static final List<String> IDENTITY_PREFIXES = List.of("impersonate-extra-", "x-remote-");
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer",
            "transfer-encoding", "upgrade");
    /**
     * The fields RFC 9113 §8.2.2 makes an HTTP/2 request malformed with (and {@code te} other than
     * {@code trailers}); not every hop-by-hop field: {@code trailer} is an ordinary field in HTTP/2.
     */
    private static final Set<String> CONNECTION_SPECIFIC = Set.of(
            "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");
    private static final String WEBSOCKET_PROTOCOL = "sec-websocket-protocol";
    /** Compression and other extensions change the frames; a recorded session must stay readable to its recorder. */
    private static final String WEBSOCKET_EXTENSIONS = "sec-websocket-extensions";
    /** kubectl's way of carrying a bearer token through browsers' WebSocket API; never the gateway's to pass on. */
    private static final String BEARER_SUBPROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io.";

    private HeaderRules() {}

    /**
     * The connection-specific header an HTTP/2 request carries, if any: HTTP/2 has no such headers, and a
     * request with one is malformed (RFC 9113 §8.2.2) — whatever it meant for a hop, it must not be guessed.
     */
    public static Optional<String> connectionSpecificInHttp2(HttpFields headers) {
        for (HttpField field : headers) {
            String name = field.getLowerCaseName();
            boolean teOtherThanTrailers = name.equals("te") && !field.getValue().trim().equalsIgnoreCase("trailers");
            if (teOtherThanTrailers || CONNECTION_SPECIFIC.contains(name)) {
                return Optional.of(field.getName());
            }
        }
        return Optional.empty();
    }

    /** {@code Connection: upgrade} with an {@code Upgrade} header: WebSocket or SPDY (exec, attach, port-forward). */
    public static boolean isUpgrade(HttpFields headers) {
        return headers.contains(HttpHeader.UPGRADE) && connectionTokens(headers).contains("upgrade");
    }

    /**
     * The headers to send upstream for a client request.
     *
     * @param upstreamToken the gateway's bearer token, empty when it authenticates by client certificate
     * @param authority     the upstream's host:port, for {@code Host}
     * @param recorded      the session is recorded ({@code recording.RecordingPolicy}): no WebSocket extension is offered
     */
    public static HttpFields.Mutable forUpstream(HttpFields client, ClientIdentity identity, Optional<String> upstreamToken,
                                                 String authority, boolean recorded) {
        boolean upgrade = isUpgrade(client);
        Set<String> namedByConnection = connectionTokens(client);
        HttpFields.Mutable upstream = HttpFields.build();
        for (HttpField field : client) {
            String name = field.getLowerCaseName();
            if (isIdentity(name) || name.equals("host") || HOP_BY_HOP.contains(name) || namedByConnection.contains(name)
                    || recorded && name.equals(WEBSOCKET_EXTENSIONS)) {
                continue;
            }
            if (name.equals(WEBSOCKET_PROTOCOL)) {
                withoutBearerSubprotocols(field).ifPresent(upstream::add);
                continue;
            }
            upstream.add(field);
        }
        if (upgrade) {
            // Exactly the pair that asks the API server to switch; nothing else the client listed in Connection.
            upstream.put(HttpHeader.CONNECTION, "Upgrade");
            upstream.put(HttpHeader.UPGRADE, client.get(HttpHeader.UPGRADE));
        }
        upstream.put(HttpHeader.HOST, authority);
        upstreamToken.ifPresent(token -> upstream.put(HttpHeader.AUTHORIZATION, "Bearer " + token));
        upstream.put(IMPERSONATE_USER, utf8OnTheWire(identity.user().username()));
        for (String group : identity.user().groups()) {
            upstream.add(IMPERSONATE_GROUP, utf8OnTheWire(group));
        }
        return upstream;
    }

    private static boolean isIdentity(String lowerCaseName) {
        return IDENTITY_HEADERS.contains(lowerCaseName) || IDENTITY_PREFIXES.stream().anyMatch(lowerCaseName::startsWith);
    }

    private static Optional<HttpField> withoutBearerSubprotocols(HttpField field) {
        String kept = field.getValueList().stream()
                .filter(protocol -> !protocol.toLowerCase(Locale.ROOT).startsWith(BEARER_SUBPROTOCOL_PREFIX))
                .collect(Collectors.joining(", "));
        return kept.isEmpty() ? Optional.empty() : Optional.of(new HttpField(field.getName(), kept));
    }

    /**
     * The API server reads header bytes as UTF-8, while HTTP stacks write each char of a header value as
     * one byte (ISO-8859-1) and replace the rest with '?'. Handing them the UTF-8 bytes as chars makes
     * {@code josé} and {@code 张三} leave as their UTF-8 bytes, so distinct users stay distinct. The token
     * check has already refused control characters, so no value can end a header.
     */
    static String utf8OnTheWire(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return value;
    }

    private static Set<String> connectionTokens(HttpFields headers) {
        Set<String> tokens = new HashSet<>();
        for (String value : headers.getValuesList(HttpHeader.CONNECTION)) {
            for (String token : value.split(",")) {
                String trimmed = token.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    tokens.add(trimmed);
                }
            }
        }
        return tokens;
    }
}
