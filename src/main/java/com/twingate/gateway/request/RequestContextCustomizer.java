package com.twingate.gateway.request;

import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.connect.InnerTls;
import com.twingate.gateway.metrics.RequestType;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Gives every request on kubectl's connection its {@link RequestContext} before any handler sees it,
 * with the connection's identity, fixed at CONNECT time and never re-parsed per request.
 */
public final class RequestContextCustomizer implements HttpConfiguration.Customizer {

    private final Clock clock;

    public RequestContextCustomizer(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        Optional<ClientIdentity> identity = InnerTls.identityOf(request.getConnectionMetaData().getConnection().getEndPoint());
        new RequestContext(identity, RequestType.of(request.getHeaders()), clock.instant()).attachTo(request);
        return request;
    }
}
