package com.twingate.gateway.proxy;

import com.twingate.gateway.connect.ClientIdentity;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Every header rule of [§4], in one place: what the API server receives is the client's headers
 * minus anything that could carry an identity or a hop-by-hop meaning, plus the gateway's credential
 * and the impersonation of the authenticated user. A user can never reach the API server as anyone
 * else.
 */
public final class HeaderRules {

    public static final String IMPERSONATE_USER = "Impersonate-User";
    public static final String IMPERSONATE_GROUP = "Impersonate-Group";
    private static final Set<String> IDENTITY_HEADERS = Set.of(
            "authorization", "proxy-authorization", "impersonate-user", "impersonate-group", "impersonate-uid");
    private static final String IMPERSONATE_EXTRA_PREFIX = "impersonate-extra-";
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "te", "trailer",
            "transfer-encoding", "upgrade");
    /** Kept on upgrade requests: the pair that asks the API server to switch protocols. */
    private static final Set<String> UPGRADE_PAIR = Set.of("connection", "upgrade");

    private HeaderRules() {}

    /** {@code Connection: upgrade} with an {@code Upgrade} header: WebSocket or SPDY (exec, attach, port-forward). */
    public static boolean isUpgrade(HttpFields headers) {
        return headers.contains(HttpHeader.UPGRADE) && connectionTokens(headers).contains("upgrade");
    }

    /**
     * The headers to send upstream for a client request.
     *
     * @param upstreamToken the gateway's bearer token, empty when it authenticates by client certificate
     * @param authority     the upstream's host:port, for {@code Host}
     */
    public static HttpFields.Mutable forUpstream(HttpFields client, ClientIdentity identity, Optional<String> upstreamToken,
                                                 String authority) {
        boolean upgrade = isUpgrade(client);
        Set<String> namedByConnection = connectionTokens(client);
        HttpFields.Mutable upstream = HttpFields.build();
        for (HttpField field : client) {
            String name = field.getLowerCaseName();
            boolean keptForUpgrade = upgrade && UPGRADE_PAIR.contains(name);
            if (IDENTITY_HEADERS.contains(name) || name.startsWith(IMPERSONATE_EXTRA_PREFIX)
                    || name.equals("host")
                    || (!keptForUpgrade && (HOP_BY_HOP.contains(name) || namedByConnection.contains(name)))) {
                continue;
            }
            upstream.add(field);
        }
        upstream.put(HttpHeader.HOST, authority);
        upstreamToken.ifPresent(token -> upstream.put(HttpHeader.AUTHORIZATION, "Bearer " + token));
        upstream.put(IMPERSONATE_USER, identity.user().username());
        for (String group : identity.user().groups()) {
            upstream.add(IMPERSONATE_GROUP, group);
        }
        return upstream;
    }

    private static Set<String> connectionTokens(HttpFields headers) {
        Set<String> tokens = new HashSet<>();
        List<String> values = headers.getValuesList(HttpHeader.CONNECTION);
        for (String value : values) {
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
