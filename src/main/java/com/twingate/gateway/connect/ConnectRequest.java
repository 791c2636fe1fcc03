package com.twingate.gateway.connect;

import org.eclipse.jetty.http.HttpFields;

/** The single HTTP/1.1 request read on the outer TLS, before anything is decided about it. */
public record ConnectRequest(String method, String target, HttpFields headers) {}
