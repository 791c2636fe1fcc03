package com.twingate.gateway.testkit.kubeapi;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Discovery, namespaces, pods, logs and the rest of the plain (non-upgraded) API. */
final class RestApi {

    private final Cluster cluster;

    RestApi(Cluster cluster) {
        this.cluster = cluster;
    }

    boolean handle(Request request, Response response, Callback callback) {
        Statuses.write(response, callback, HttpStatus.NOT_FOUND_404, "NotFound", "the server could not find the requested resource");
        return true;
    }
}
