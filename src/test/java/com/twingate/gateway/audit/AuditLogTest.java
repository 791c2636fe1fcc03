package com.twingate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.twingate.gateway.testkit.EncodedLogLines;
import com.twingate.gateway.token.GatClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit line's fields, names, order and JSON types, exactly as the gateway writes them. */
class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EncodedLogLines log = new EncodedLogLines();

    @AfterEach
    void detach() {
        log.close();
    }

    @Test
    void anExecThatFailedHasEveryField() throws Exception {
        Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
        requestHeaders.put("Authorization", List.of(Redaction.REDACTED));
        requestHeaders.put("X-Stream-Protocol-Version", List.of("v5.channel.k8s.io", "v4.channel.k8s.io"));
        AuditLog.Entry entry = new AuditLog.Entry("r-1", Instant.parse("2026-12-01T10:00:00.123Z"), "POST", "HTTP/1.1",
                "/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&container=web&stdin=true&tty=true",
                "10.0.0.1:5000", Optional.of(new GatClaims.User("u-1", "josé@example.com", List.of("dev", "ops"))),
                Optional.empty(), requestHeaders, 101, Map.of("Upgrade", List.of("websocket")),
                Optional.of("the API server went away"),
                KubernetesRequestInfo.of("POST", "/api/v1/namespaces/default/pods/web/exec",
                        "command=sh&command=-c&container=web&stdin=true&tty=true"),
                new AuditLog.Measurement(321, 4096, Duration.ofMillis(1500)));

        ObjectNode line = write(entry);

        assertThat(line).hasToString("""
                {"message":"API request failed","request_id":"r-1","requested_at":"2026-12-01T10:00:00.123Z","method":"POST",\
                "url":"/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&container=web&stdin=true&tty=true",\
                "remote_addr":"10.0.0.1:5000","user":{"id":"u-1","username":"josé@example.com","groups":["dev","ops"]},\
                "conn_id":null,"kubernetes":{"verb":"exec","nonResourceURL":false,"apiVersion":"v1","resource":"pods",\
                "subresource":"exec","namespace":"default","name":"web","container":"web","command":["sh","-c"],"tty":true,\
                "stdin":true},"request":{"proto":"HTTP/1.1","headers":{"Authorization":["[REDACTED]"],"X-Stream-Protocol-Version":\
                ["v5.channel.k8s.io","v4.channel.k8s.io"]},"size_bytes":321},"response":{"status_code":101,"headers":\
                {"Upgrade":["websocket"]},"size_bytes":4096},"duration":1.5,"error":"the API server went away"}""");
    }

    @Test
    void aPortForwardWithoutUserHasItsPortsAndNoError() throws Exception {
        AuditLog.Entry entry = new AuditLog.Entry("r-2", Instant.parse("2026-12-01T10:00:00Z"), "GET", "HTTP/2.0",
                "/api/v1/namespaces/default/pods/web/portforward?ports=8080", "10.0.0.2:5001", Optional.empty(),
                Optional.of("conn-7"), Map.of(), 200, Map.of(), Optional.empty(),
                KubernetesRequestInfo.of("GET", "/api/v1/namespaces/default/pods/web/portforward", "ports=8080"),
                new AuditLog.Measurement(0, 0, Duration.ZERO));

        ObjectNode line = write(entry);

        assertThat(line).hasToString("""
                {"message":"API request completed","request_id":"r-2","requested_at":"2026-12-01T10:00:00Z","method":"GET",\
                "url":"/api/v1/namespaces/default/pods/web/portforward?ports=8080","remote_addr":"10.0.0.2:5001","user":null,\
                "conn_id":"conn-7","kubernetes":{"verb":"portforward","nonResourceURL":false,"apiVersion":"v1",\
                "resource":"pods","subresource":"portforward","namespace":"default","name":"web","ports":["8080"]},\
                "request":{"proto":"HTTP/2.0","headers":{},"size_bytes":0},"response":{"status_code":200,"headers":{},"size_bytes":0},\
                "duration":0.0}""");
    }

    /** The line as written, less what differs from run to run (time, caller, version) and the constant envelope. */
    private ObjectNode write(AuditLog.Entry entry) throws Exception {
        log.attach(AuditLog.LOGGER);
        new AuditLog().requestCompleted(entry);
        ObjectNode line = (ObjectNode) JSON.readTree(log.lines().getFirst());
        line.remove(List.of("ts", "levelname", "logger", "caller", "version"));
        return line;
    }
}
