package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

    @Test
    void rulesFileIsValid() throws Exception {
        Promtool.Result result = Promtool.run("", "check", "rules", "prometheus/alert-rules.yaml");

        assertThat(result.exitCode()).as("promtool check rules said:\n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 4 rules found");
    }

    @Test
    void eachAlertFiresOnWhatShouldFireItAndOnNothingElse() throws Exception {
        Promtool.Result result = Promtool.run("", "test", "rules", "prometheus/alert-rules.test.yaml");

        assertThat(result.exitCode()).as("promtool test rules said:\n%s", result.output()).isZero();
    }

    /** An alert that fires at night says what it is and links to what to do: a section that exists. */
    @Test
    void everyAlertHasASummaryADescriptionAndARunbookSectionThatExists() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Path.of("prometheus/alert-rules.yaml").toFile())
                .path("groups").get(0).path("rules");
        List<String> headings = Files.readAllLines(Path.of("docs/runbooks.md")).stream()
                .filter(line -> line.startsWith("## ")).map(line -> line.substring(3).strip()).toList();

        assertThat(rules).isNotEmpty().allSatisfy(rule -> {
            String alert = rule.path("alert").asText();
            JsonNode annotations = rule.path("annotations");
            assertThat(annotations.path("summary").asText()).as("summary of %s", alert).isNotBlank();
            assertThat(annotations.path("description").asText()).as("description of %s", alert).isNotBlank();
            assertThat(annotations.path("runbook_url").asText()).as("runbook_url of %s", alert)
                    .isEqualTo("docs/runbooks.md#" + alert.toLowerCase(Locale.ROOT));
            assertThat(headings).as("sections of docs/runbooks.md").contains(alert);
        });
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
