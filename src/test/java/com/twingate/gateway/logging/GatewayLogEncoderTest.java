package com.twingate.gateway.logging;

import static net.logstash.logback.marker.Markers.appendEntries;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.config.LogFormat;
import com.twingate.gateway.testkit.EncodedLogLines;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Twingate's envelope, as zap writes it with Twingate's settings, in both forms. */
class GatewayLogEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EncodedLogLines log = new EncodedLogLines();
    private final List<String> lines = log.lines();

    private Logger attach(String name) {
        return log.attach(name);
    }

    @AfterEach
    void detach() {
        log.close();
    }

    @Test
    void jsonLinesCarryTheEnvelopeThenTheirFields() throws Exception {
        Logger audit = attach("gateway.audit");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", "r-1");
        fields.put("user", Map.of("username", "alice"));
        audit.info(appendEntries(fields), "API request completed");

        String line = lines.getFirst();
        assertThat(line).endsWith("}\n").doesNotContain("\n{");
        JsonNode json = JSON.readTree(line);
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("ts", "levelname", "logger", "caller", "message", "version", "request_id", "user");
        assertThat(json.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d{4})");
        assertThat(json.path("levelname").asText()).isEqualTo("info");
        assertThat(json.path("logger").asText()).isEqualTo("gateway.audit");
        assertThat(json.path("caller").asText()).matches("logging/GatewayLogEncoderTest\\.java:\\d+");
        assertThat(json.path("message").asText()).isEqualTo("API request completed");
        assertThat(json.path("user").path("username").asText()).isEqualTo("alice");
    }

    @Test
    void theGatewaysClassLoggersAreNamedByTheirPartAndLibrariesKeepTheirNames() throws Exception {
        attach("com.twingate.gateway.token.NimbusTokenVerifier").warn("signing keys unavailable");
        attach("com.twingate.gateway.Main").info("gateway started");
        attach("org.eclipse.jetty.server.Server").error("failed");

        assertThat(lines).extracting(line -> JSON.readTree(line).path("logger").asText())
                .containsExactly("gateway.token", "gateway", "org.eclipse.jetty.server.Server");
        assertThat(lines).extracting(line -> JSON.readTree(line).path("levelname").asText())
                .containsExactly("warn", "info", "error");
    }

    @Test
    void aFailureCarriesItsStackTraceOnTheSameLine() throws Exception {
        attach("gateway.server").error("stopping the gateway failed", new IllegalStateException("boom"));

        JsonNode json = JSON.readTree(lines.getFirst());
        assertThat(json.path("stack_trace").asText()).contains("IllegalStateException: boom");
        assertThat(lines.getFirst().strip()).doesNotContain("\n");
    }

    @Test
    void textIsOneLineForPeople() throws Exception {
        Logger audit = attach("gateway.audit");
        log.encoder().format(LogFormat.TEXT);
        audit.info(appendEntries(Map.of("request_id", "r-1")), "a message\nthat tries\ta second line");
        audit.error("failed", new IllegalStateException("boom"));

        assertThat(lines).allSatisfy(line -> assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1));
        String[] columns = lines.getFirst().strip().split("\t");
        assertThat(columns).hasSize(6);
        assertThat(columns[0]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d{4})");
        assertThat(columns[1]).isEqualTo("info");
        assertThat(columns[2]).isEqualTo("gateway.audit");
        assertThat(columns[3]).matches("logging/GatewayLogEncoderTest\\.java:\\d+");
        assertThat(columns[4]).isEqualTo("a message\\nthat tries\\ta second line");
        assertThat(JSON.readTree(columns[5]).path("request_id").asText()).isEqualTo("r-1");
        assertThat(JSON.readTree(lines.get(1).strip().split("\t")[5]).path("stack_trace").asText()).contains("boom");
    }
}
