package com.twingate.gateway.testkit.kubeapi;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** exec, attach and port-forward over WebSocket and SPDY/3.1. */
final class PodStreams {

    private final Cluster cluster;

    PodStreams(Cluster cluster) {
        this.cluster = cluster;
    }

    boolean handle(String namespace, String pod, String subresource, Request request, Response response, Callback callback) {
        Statuses.write(response, callback, HttpStatus.NOT_IMPLEMENTED_501, "NotImplemented", subresource + " is not implemented yet");
        return true;
    }
}
