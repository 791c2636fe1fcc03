package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every PromQL query the dashboard sends, as Grafana would send it with every variable at its default (All). */
final class DashboardQueries {

    static final Path DASHBOARD = Path.of("grafana-dashboards/kubernetes-access-gateway.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");

    private DashboardQueries() {}

    static List<String> all() {
        JsonNode dashboard;
        try {
            dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            List<JsonNode> panels = new ArrayList<>();
            if (panel.path("type").asText().equals("row")) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
            panels.forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (List.of("namespace", "pod").contains(variable.path("name").asText())) {
                Matcher selector = LABEL_VALUES.matcher(variable.path("definition").asText());
                assertThat(selector.matches()).as("variable %s is label_values(...)", variable.path("name").asText()).isTrue();
                queries.add(selector.group(1));
            }
        }
        return queries.stream().map(DashboardQueries::substituteVariables).toList();
    }

    private static String substituteVariables(String expression) {
        return expression
                .replace("$__rate_interval", "1m")
                .replace("$__interval", "1m")
                .replace("$namespace", ".*")
                .replace("$pod", ".*");
    }
}
