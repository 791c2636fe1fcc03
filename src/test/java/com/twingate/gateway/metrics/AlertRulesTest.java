package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AlertRulesTest {

    @Test
    void rulesFileIsValid() throws Exception {
        Promtool.Result result = Promtool.run("", "check", "rules", "prometheus/alert-rules.yaml");

        assertThat(result.exitCode()).as("promtool check rules said:\n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 3 rules found");
    }

    @Test
    void eachAlertFiresOnWhatShouldFireItAndOnNothingElse() throws Exception {
        Promtool.Result result = Promtool.run("", "test", "rules", "prometheus/alert-rules.test.yaml");

        assertThat(result.exitCode()).as("promtool test rules said:\n%s", result.output()).isZero();
    }

    @Test
    void theSeedRuleIsShippedVerbatim() throws Exception {
        String rules = java.nio.file.Files.readString(java.nio.file.Path.of("prometheus/alert-rules.yaml"));

        assertThat(rules).contains("""
                      - alert: TwingateGatewayHighHTTPErrorRate
                        expr: |
                          max_over_time(
                            (sum by (code, method, type) (rate(twingate_gateway_http_requests_total{code=~"5[0-9][0-9]"}[5m])) > bool 0.8)[2m:30s]
                          ) > 0
                        for: 2m
                        labels:
                          severity: critical
                        annotations:
                          description: Twingate Gateway HTTP {{ $labels.code }} error rate is above 0.8 requests/sec over last 2 minutes for method={{ $labels.method }}, type={{ $labels.type }}.
                """);
    }
}
