package com.twingate.gateway.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the image is checked where it meets the chart: a numeric non-root
 * user matching the chart's securityContext, and the jar and config paths the Deployment uses.
 */
class DockerfileTest {

    @Test
    void runsTheJarAsTheChartsNonRootUserWithTheChartsConfigPath() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        String values = Files.readString(Path.of("chart/values.yaml"));
        String deployment = Files.readString(Path.of("chart/templates/deployment.yaml"));

        assertThat(lines).anyMatch(line -> line.startsWith("FROM eclipse-temurin:25-jre"));
        assertThat(lines).contains("USER 10001:10001");
        assertThat(values).contains("runAsUser: 10001", "runAsNonRoot: true", "readOnlyRootFilesystem: true");
        assertThat(lines).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/kubernetes-access-gateway.jar\"]");
        assertThat(deployment).contains("args: [\"--config\", \"/etc/gateway/gateway.conf\"]", "mountPath: /etc/gateway/gateway.conf",
                "mountPath: /tmp");
        assertThat(lines).anyMatch(line -> line.contains("-Djava.io.tmpdir=/tmp"));
    }
}
