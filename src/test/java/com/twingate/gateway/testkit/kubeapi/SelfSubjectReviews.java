package com.twingate.gateway.testkit.kubeapi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code kubectl auth whoami}: who the API server takes the request to be. That is the impersonated
 * user and groups when the request impersonates (what the gateway always does), plus
 * {@code system:authenticated}, which the API server adds to every authenticated user.
 */
final class SelfSubjectReviews {

    /** Who the bearer token itself belongs to: the gateway's service account. */
    static final String TOKEN_USER = "system:serviceaccount:twingate:kubernetes-access-gateway";

    private static final List<String> TOKEN_GROUPS = List.of("system:serviceaccounts", "system:serviceaccounts:twingate");

    private SelfSubjectReviews() {}

    static void create(String version, Request request, Response response, Callback callback) {
        // The review's spec is empty, so its body (JSON, or protobuf from kubectl 1.33) has nothing to read.
        Exchanges.discardBody(request);
        String user = request.getHeaders().get("Impersonate-User");
        List<String> groups = new ArrayList<>(user == null ? TOKEN_GROUPS : request.getHeaders().getValuesList("Impersonate-Group"));
        if (!groups.contains("system:authenticated")) {
            groups.add("system:authenticated");
        }
        Map<String, Object> review = new LinkedHashMap<>();
        review.put("kind", "SelfSubjectReview");
        review.put("apiVersion", Discovery.AUTHENTICATION + "/" + version);
        review.put("metadata", Map.of("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        review.put("status", Map.of("userInfo", Map.of("username", user == null ? TOKEN_USER : user, "groups", groups)));
        Statuses.writeJson(response, callback, HttpStatus.CREATED_201, review);
    }
}
