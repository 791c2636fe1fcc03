package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.token.GatClaims;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** Which upgraded requests are recorded (docs/recording.md), and what their recordings say about them. */
class RecordingPolicyTest {

    private static final String EXEC = "/api/v1/namespaces/team-a/pods/web-0/exec";
    private static final GatClaims.User ALICE = new GatClaims.User("u-7", "alice@acme.com", List.of("devs"));

    private static Optional<SessionInfo> decide(String path, String query, HttpFields headers) {
        return RecordingPolicy.decide(path, query, headers, ALICE, "conn-1", "req-1");
    }

    private static Optional<SessionInfo> decide(String path, String query) {
        return decide(path, query, HttpFields.EMPTY);
    }

    @Test
    void execIsRecordedWithEveryCommandWordContainerAndTty() {
        SessionInfo session = decide(EXEC, "command=sh&command=-c&command=echo%20hi&container=app&stdin=true&stdout=true&tty=true")
                .orElseThrow();
        assertThat(session).isEqualTo(new SessionInfo("team-a", "web-0", "app", List.of("sh", "-c", "echo hi"), true, ALICE,
                "conn-1", "req-1"));
        assertThat(session.commandLine()).isEqualTo("sh -c echo hi");
    }

    @Test
    void attachIsRecordedWithAnEmptyCommand() {
        SessionInfo session = decide("/api/v1/namespaces/team-a/pods/web-0/attach", "stdin=true&stdout=true&tty=false").orElseThrow();
        assertThat(session.command()).isEmpty();
        assertThat(session.container()).isEmpty();
        assertThat(session.tty()).isFalse();
    }

    @Test
    void portForwardAndOtherSubresourcesAreNotRecorded() {
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/portforward", "ports=8080")).isEmpty();
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/proxy", null)).isEmpty();
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/exec/extra", "command=sh")).isEmpty();
        assertThat(decide("/api/v1/namespaces/team-a/services/web/exec", "command=sh")).isEmpty();
    }

    @Test
    void fileCopiesAreNotRecorded() {
        HttpFields kubectlCp = HttpFields.build().add("Kubectl-Command", "kubectl cp");
        assertThat(decide(EXEC, "command=tar&command=cf&command=-&command=/data", kubectlCp)).isEmpty();
        assertThat(decide(EXEC, "command=tar&command=xmf&command=-&command=-C&command=/tmp")).isEmpty();
        // Other kubectl commands, and tar further down a command line, are ordinary sessions.
        assertThat(decide(EXEC, "command=sh", HttpFields.build().add("Kubectl-Command", "kubectl exec"))).isPresent();
        assertThat(decide(EXEC, "command=sh&command=-c&command=tar%20cf%20-%20/data")).isPresent();
    }

    @Test
    void anExecWithoutACommandIsStillRecorded() {
        assertThat(decide(EXEC, null)).map(SessionInfo::commandLine).contains("");
    }
}
