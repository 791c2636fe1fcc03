package com.twingate.gateway.testkit.kubeapi;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Discovery, OpenAPI, objects, pod logs and SelfSubjectReview: the plain (non-upgraded) API. */
final class RestApi {

    private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/log");
    private static final Pattern SELF_SUBJECT_REVIEWS =
            Pattern.compile("/apis/" + Pattern.quote(Discovery.AUTHENTICATION) + "/(v1|v1beta1|v1alpha1)/selfsubjectreviews");
    private static final String CORE = "/api/v1/";

    private final ObjectRequests objects;
    private final PodLogs logs;

    RestApi(Cluster cluster) {
        this.objects = new ObjectRequests(cluster.objects());
        this.logs = new PodLogs(cluster);
    }

    boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        try {
            Optional<Object> discovery = method.equals("GET") ? Discovery.document(path) : Optional.empty();
            Matcher log = POD_LOG.matcher(path);
            Matcher review = SELF_SUBJECT_REVIEWS.matcher(path);
            if (discovery.isPresent()) {
                Statuses.writeJson(response, callback, HttpStatus.OK_200, discovery.get());
            } else if (path.equals(OpenApi.PATH) && method.equals("GET")) {
                OpenApi.v2(request, response, callback);
            } else if (log.matches() && method.equals("GET")) {
                logs.handle(log.group(1), log.group(2), request, response, callback);
            } else if (review.matches() && method.equals("POST")) {
                SelfSubjectReviews.create(review.group(1), request, response, callback);
            } else if (path.startsWith(CORE) && path.length() > CORE.length()) {
                objects.handle(path.substring(CORE.length()), request, response, callback);
            } else {
                throw ApiError.noSuchPath();
            }
        } catch (ApiError refused) {
            Statuses.writeJson(response, callback, refused.code(), refused.status());
        }
        return true;
    }
}
