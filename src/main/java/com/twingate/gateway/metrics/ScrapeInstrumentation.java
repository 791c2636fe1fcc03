package com.twingate.gateway.metrics;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts scrapes the way Go's promhttp handler does ({@code promhttp_metric_handler_*}). */
final class ScrapeInstrumentation extends HttpFilter {

    private static final Logger LOG = LoggerFactory.getLogger(ScrapeInstrumentation.class);

    private final GatewayMetrics metrics;

    ScrapeInstrumentation(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        metrics.scrapeStarted();
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            // client_java sets the Content-Type only once the samples are gathered, so its absence
            // tells a failed collection from a failed write.
            ScrapeErrorCause cause = response.getContentType() == null
                    ? ScrapeErrorCause.GATHERING
                    : ScrapeErrorCause.ENCODING;
            metrics.scrapeFailed(cause);
            LOG.warn("Serving {} failed while {}", request.getRequestURI(), cause.label(), e);
            if (!response.isCommitted()) {
                response.reset();
                response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
                        "An error has occurred while serving metrics: " + e.getMessage());
            }
        } finally {
            metrics.scrapeFinished(response.getStatus());
        }
    }
}
