package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.twingate.gateway.audit.AuditLog;
import com.twingate.gateway.testkit.EncodedLogLines;
import com.twingate.gateway.token.GatClaims;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A recording part's log line: its fields, names, order and JSON types, exactly as the gateway writes them. */
class LogRecordingSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EncodedLogLines log = new EncodedLogLines();

    @AfterEach
    void detach() {
        log.close();
    }

    @Test
    void aPartCarriesTheWholeSessionAndItsAsciicastAsOneString() throws Exception {
        SessionInfo session = new SessionInfo("prod", "payments-7f9", "app", List.of("sh", "-c", "echo \"hi\""), true,
                new GatClaims.User("u-1", "josé@example.com", List.of("dev")), "conn-1", "r-1");
        String asciicast = "{\"version\":2,\"width\":80,\"height\":24}\n[0.1,\"o\",\"a\\u001b[0m\\r\\n\"]";

        log.attach(AuditLog.LOGGER);
        new LogRecordingSink().part(session, asciicast, 3, false);
        new LogRecordingSink().part(session, asciicast, 4, true);

        ObjectNode line = (ObjectNode) JSON.readTree(log.lines().getFirst());
        line.remove(List.of("ts", "levelname", "logger", "caller", "version"));
        assertThat(line).hasToString("""
                {"message":"session recording","request_id":"r-1","conn_id":"conn-1","user":{"id":"u-1",\
                "username":"josé@example.com","groups":["dev"]},"kubernetes":{"namespace":"prod","pod":"payments-7f9",\
                "container":"app","command":["sh","-c","echo \\"hi\\""],"tty":true},\
                "asciicast":"{\\"version\\":2,\\"width\\":80,\\"height\\":24}\\n[0.1,\\"o\\",\\"a\\\\u001b[0m\\\\r\\\\n\\"]",\
                "asciicast_sequence_num":3}""");
        assertThat(JSON.readTree(log.lines().getLast()).path("message").asText()).isEqualTo("session finished");
        assertThat(JSON.readTree(log.lines().getFirst()).path("asciicast").asText()).isEqualTo(asciicast);
    }
}
