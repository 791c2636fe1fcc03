package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.token.GatClaims;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which upgraded requests are recorded (docs/recording.md), and what their recordings say about them:
 * decided from what the API server will run, never from what the client says about itself.
 */
class RecordingPolicyTest {

    private static final String EXEC = "/api/v1/namespaces/team-a/pods/web-0/exec";
    private static final GatClaims.User ALICE = new GatClaims.User("u-7", "alice@acme.com", List.of("devs"));

    private static Optional<SessionInfo> decide(String path, String query) {
        return RecordingPolicy.decide("GET", path, query, ALICE, "conn-1", "req-1");
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
    void ttyIsReadAsTheApiServerReadsABoolean() {
        assertThat(decide(EXEC, "command=sh&tty=1")).map(SessionInfo::tty).contains(true);
        assertThat(decide(EXEC, "command=sh&tty=0")).map(SessionInfo::tty).contains(false);
    }

    @Test
    void portForwardAndOtherSubresourcesAreNotRecorded() {
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/portforward", "ports=8080")).isEmpty();
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/proxy", null)).isEmpty();
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/exec/extra", "command=sh")).isEmpty();
        assertThat(decide("/api/v1/namespaces/team-a/services/web/exec", "command=sh")).isEmpty();
    }

    /** Bypass 1: kubectl cp is an exec of tar, and tar starts programs; neither a header nor the command turns recording off. */
    @Test
    void fileCopiesAreRecordedLikeAnyExec() {
        assertThat(decide(EXEC, "command=tar&command=cf&command=-&command=/data")).map(SessionInfo::commandLine)
                .contains("tar cf - /data");
        assertThat(decide(EXEC, "command=tar&command=xmf&command=-&command=--to-command=sh")).isPresent();
    }

    /** Bypass 2: the API server decodes the path before it routes it; so does the policy. */
    @Test
    void anEscapedSpellingOfExecIsRecordedAsTheExecTheApiServerRuns() {
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0/%65xec", "command=sh")).map(SessionInfo::pod).contains("web-0");
        assertThat(decide("/api/v1/namespaces/team-a/pods/web-0%2Fexec", "command=sh")).isPresent();
        assertThat(decide("/api/v1/namespaces/te%61m-a/pods/web-0/att%61ch", null)).map(SessionInfo::namespace).contains("team-a");
    }

    @Test
    void anExecWithoutACommandIsStillRecorded() {
        assertThat(decide(EXEC, null)).map(SessionInfo::commandLine).contains("");
    }
}
