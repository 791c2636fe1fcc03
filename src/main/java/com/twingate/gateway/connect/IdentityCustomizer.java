package com.twingate.gateway.connect;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/** Hands the connection's identity, fixed at CONNECT time, to each request on it. */
public final class IdentityCustomizer implements HttpConfiguration.Customizer {

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        Object identity = request.getConnectionMetaData().getAttribute(ClientIdentity.ATTRIBUTE);
        if (identity != null) {
            request.setAttribute(ClientIdentity.ATTRIBUTE, identity);
        }
        return request;
    }
}
