package com.twingate.gateway.testkit.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.Terminal;
import com.twingate.gateway.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real kubectl (the oldest, a middle and the newest version installed) straight against the stand-in:
 * what the gateway's tests and the local run rely on it to answer.
 */
class KubeApiStandInTest {

    private static final String TOKEN = "stand-in-token";
    private static final Duration RUN = Duration.ofSeconds(30);
    private static final Duration SEEN = Duration.ofSeconds(15);

    @TempDir
    static Path directory;

    private static TestPki pki;
    private static KubeApiStandIn api;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create("api", directory);
        api = KubeApiStandIn.start(pki.issue("api"), TOKEN, directory.resolve("sandboxes"));
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
    }

    /** Each version gets its own home, so each does its own discovery rather than reading another's cache. */
    private static Kubectl kubectl(String version) throws IOException {
        return Kubectl.of(version, "https://" + api.address(), pki.caFile(), TOKEN,
                Files.createDirectories(directory.resolve("kubectl-" + version)));
    }

    /** Object names differ per version, since all versions share one stand-in. */
    private static String named(String prefix, String version) {
        return prefix + "-" + version.replace('.', '-');
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void authWhoamiShowsTheImpersonatedUserAndGroups(String version) throws IOException {
        Kubectl.Result whoami = kubectl(version).run(RUN, "auth", "whoami", "--as=alice", "--as-group=devs").assertSuccess();

        assertThat(whoami.stdout()).containsPattern("Username\\s+alice").containsPattern("Groups\\s+\\[devs system:authenticated]");
        assertThat(api.impersonations()).anyMatch(seen -> seen.path().endsWith("/selfsubjectreviews")
                && "alice".equals(seen.user()) && seen.groups().equals(List.of("devs")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void getPodsListsAnAddedPodAsARunningOne(String version) throws IOException {
        String pod = named("listed", version);
        api.cluster().addPod("default", pod);

        assertThat(kubectl(version).run(RUN, "get", "pods").assertSuccess().stdout())
                .containsPattern("(?m)^NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE$")
                .containsPattern("(?m)^" + pod + "\\s+1/1\\s+Running\\s+0\\s+\\d+s$");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void getPodsWatchPrintsAPodCreatedAfterTheListWasPrinted(String version) throws IOException {
        String listed = named("before-watch", version);
        String pod = named("watched", version);
        // With no pods kubectl prints nothing, not even a header, until the first event.
        api.cluster().addPod("default", listed);
        try (Terminal watch = Terminal.start(kubectl(version).processBuilder("get", "pods", "--watch"), 24, 200)) {
            watch.awaitMatch(lineStartingWith(listed + " "), 0, SEEN);

            api.cluster().addPod("default", pod);

            watch.awaitMatch(lineStartingWith(pod + " "), 0, SEEN);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void logsFollowStreamsALineAppendedAfterItStarted(String version) throws IOException {
        String pod = named("logging", version);
        api.cluster().addPod("default", pod);
        api.cluster().appendLog("default", pod, "before kubectl started");
        try (Terminal logs = Terminal.start(kubectl(version).processBuilder("logs", "--follow", pod), 24, 200)) {
            logs.awaitMatch(wholeLine("before kubectl started"), 0, SEEN);

            api.cluster().appendLog("default", pod, "after kubectl started");

            logs.awaitMatch(wholeLine("after kubectl started"), 0, SEEN);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void applyOfAFiveMegabyteConfigMapCreatesItAndASecondApplyPatchesIt(String version) throws IOException {
        Kubectl kubectl = kubectl(version);
        String name = named("big", version);
        Path first = configMap(name, "first");
        Path second = configMap(name, "second");
        assertThat(Files.size(first)).isGreaterThan(5_000_000);

        assertThat(kubectl.run(RUN, "apply", "-f", first.toString()).assertSuccess().stdout())
                .contains("configmap/" + name + " created");
        assertThat(kubectl.run(RUN, "get", "configmap", name).assertSuccess().stdout()).containsPattern("(?m)^" + name + "\\s");
        assertThat(kubectl.run(RUN, "apply", "-f", second.toString()).assertSuccess().stdout())
                .contains("configmap/" + name + " configured");

        String lastKey = kubectl.run(RUN, "get", "configmap", name, "-o", "jsonpath={.data.key-4999}").assertSuccess().stdout();
        assertThat(lastKey).startsWith("second").hasSize("second".length() + 1000);
    }

    /** kubectl 1.33 sends the new config map in protobuf; older versions in JSON. */
    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void createConfigMapFromLiteralsAndABinaryFileStoresItsDataAndLabels(String version) throws IOException {
        Kubectl kubectl = kubectl(version);
        String name = named("created", version);
        Path binary = Files.write(directory.resolve("blob-" + version), new byte[] {0, (byte) 0xff, 1, (byte) 0xfe});

        assertThat(kubectl.run(RUN, "create", "configmap", name, "--from-literal=greeting=hello",
                "--from-file=blob=" + binary).assertSuccess().stdout()).contains("configmap/" + name + " created");
        kubectl.run(RUN, "label", "configmap", name, "team=gateway").assertSuccess();

        assertThat(kubectl.run(RUN, "get", "configmap", name, "-o",
                "jsonpath={.data.greeting} {.binaryData.blob} {.metadata.labels.team} {.metadata.namespace}").assertSuccess().stdout())
                .isEqualTo("hello AP8B/g== gateway default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.27", "1.30", "1.33"})
    void deletePodRemovesItAndItsSandboxEntry(String version) throws IOException {
        Kubectl kubectl = kubectl(version);
        String pod = named("doomed", version);
        api.cluster().addPod("default", pod);

        assertThat(kubectl.run(RUN, "delete", "pod", pod).assertSuccess().stdout()).contains("pod \"" + pod + "\" deleted");

        assertThat(api.cluster().pod("default", pod)).isEmpty();
        Kubectl.Result missing = kubectl.run(RUN, "get", "pod", pod);
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("Error from server (NotFound): pods \"" + pod + "\" not found");
    }

    /** A ConfigMap manifest of 5,000 keys, each {@code marker} and 1,000 more bytes: just over 5 MB. */
    private static Path configMap(String name, String marker) throws IOException {
        StringBuilder manifest = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n");
        String filler = "x".repeat(1000);
        for (int i = 0; i < 5000; i++) {
            manifest.append("  key-").append(i).append(": ").append(marker).append(filler).append('\n');
        }
        return Files.writeString(directory.resolve(name + "-" + marker + ".yaml"), manifest);
    }

    private static Pattern lineStartingWith(String text) {
        return Pattern.compile("(?m)^" + Pattern.quote(text));
    }

    private static Pattern wholeLine(String text) {
        return Pattern.compile("(?m)^" + Pattern.quote(text) + "\\r?$");
    }
}
