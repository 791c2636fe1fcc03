package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.metrics.SpecMetrics.Spec;
import com.twingate.gateway.testkit.PrometheusServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DashboardTest {

    private static final Path DASHBOARD = Path.of("grafana-dashboards/kubernetes-access-gateway.json");
    private static final String DATASOURCE = "${datasource}";
    private static final Pattern LABEL_MATCHER =
            Pattern.compile("\\b(namespace|container|pod)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");

    private static JsonNode dashboard;

    @BeforeAll
    static void parse() throws Exception {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    @Test
    void isAModernDashboardWithAPrometheusDatasourceVariable() {
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        JsonNode datasource = variable("datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        assertThat(rows()).containsExactly("Gateway HTTP requests", "API server requests", "Recorded sessions",
                "TCP connections", "CONNECT authentication", "JVM");
    }

    @Test
    void everyPanelQueriesTheDatasourceVariable() {
        for (JsonNode panel : panels()) {
            assertThat(panel.path("targets")).as("targets of panel '%s'", panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                String uid = target.path("datasource").path("uid").asText(panel.path("datasource").path("uid").asText());
                assertThat(uid).as("datasource of '%s' in '%s'", target.path("expr").asText(),
                        panel.path("title").asText()).isEqualTo(DATASOURCE);
            }
        }
        for (String name : List.of("namespace", "pod")) {
            assertThat(variable(name).path("datasource").path("uid").asText()).isEqualTo(DATASOURCE);
        }
    }

    @Test
    void everyGatewayMetricIsOnSomePanel() {
        String expressions = String.join("\n", expressions());
        for (Spec spec : SpecMetrics.GATEWAY) {
            assertThat(expressions).as("expressions using %s", spec.name())
                    .containsPattern("\\b" + spec.name() + "(_bucket|_sum|_count)?\\b");
        }
    }

    @Test
    void namesNoContainerOrNamespace() {
        List<String> queries = new ArrayList<>(expressions());
        queries.add(variable("namespace").path("definition").asText());
        queries.add(variable("pod").path("definition").asText());
        for (String query : queries) {
            Matcher matcher = LABEL_MATCHER.matcher(query);
            while (matcher.find()) {
                assertThat(matcher.group(1)).as("label matched in %s", query).isNotEqualTo("container");
                assertThat(matcher.group(3)).as("value of %s in %s", matcher.group(1), query)
                        .isEqualTo("$" + matcher.group(1));
            }
        }
        for (String name : List.of("namespace", "pod")) {
            JsonNode variable = variable(name);
            assertThat(variable.path("includeAll").asBoolean()).as("%s offers All", name).isTrue();
            assertThat(variable.path("allValue").asText()).as("All of %s", name).isEqualTo(".*");
        }
    }

    @Test
    void everyExpressionIsPromqlThatARealPrometheusAnswersWithData() throws Exception {
        try (MetricsEndpointFixture endpoint = new MetricsEndpointFixture().start()) {
            SpecMetrics.touchEverything(endpoint.metrics);
            try (PrometheusServer prometheus =
                         PrometheusServer.start(List.of("127.0.0.1:" + endpoint.metricsPort()))) {
                prometheus.awaitTargetsUp(Duration.ofSeconds(30));
                List<String> queries = DashboardQueries.all();
                for (String query : queries) {
                    assertThat(prometheus.awaitResult(query, Duration.ofSeconds(30)))
                            .as("result of %s", query).isNotEmpty();
                }
            }
        }
    }

    private static List<String> rows() {
        return stream(dashboard.path("panels")).filter(p -> p.path("type").asText().equals("row"))
                .map(p -> p.path("title").asText()).toList();
    }

    private static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    private static List<String> expressions() {
        return panels().stream().flatMap(p -> stream(p.path("targets"))).map(t -> t.path("expr").asText()).toList();
    }

    private static JsonNode variable(String name) {
        return stream(dashboard.path("templating").path("list"))
                .filter(v -> v.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("The dashboard has no variable " + name));
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
