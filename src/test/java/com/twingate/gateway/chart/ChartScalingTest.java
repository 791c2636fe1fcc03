package com.twingate.gateway.chart;

import static com.twingate.gateway.chart.HelmChart.FULLNAME;
import static com.twingate.gateway.chart.ChartTwingateCasesTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running more than one gateway the Kubernetes way (beyond Twingate's chart): a HorizontalPodAutoscaler
 * on CPU, topology spread, a PodDisruptionBudget that lets drains proceed, and a shutdown that drains.
 */
class ChartScalingTest {

    private static final String ACME = "twingate: {network: acme}\n";
    private static final String CPU_REQUEST = "resources: {requests: {cpu: 200m}}\n";
    @RegisterExtension
    static final HelmChart chart = new HelmChart();

    @TempDir
    Path dir;

    @Test
    void autoscalingScalesTheDeploymentOnCpuAndOwnsItsReplicaCount() {
        Manifests objects = chart.render(ACME + CPU_REQUEST + "replicaCount: 5\nautoscaling: {enabled: true, minReplicas: 3, maxReplicas: 9, targetCPUUtilizationPercentage: 65}");

        JsonNode hpa = objects.one("HorizontalPodAutoscaler");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        JsonNode spec = hpa.path("spec");
        assertThat(spec.path("scaleTargetRef")).isEqualTo(yaml("{apiVersion: apps/v1, kind: Deployment, name: %s}".formatted(FULLNAME)));
        assertThat(spec.path("minReplicas").asInt()).isEqualTo(3);
        assertThat(spec.path("maxReplicas").asInt()).isEqualTo(9);
        assertThat(spec.path("metrics")).isEqualTo(yaml("[{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 65}}}]"));
        assertThat(spec.path("behavior").path("scaleDown").path("policies").get(0)).isEqualTo(yaml("{type: Pods, value: 1, periodSeconds: 300}"));
        assertThat(objects.deployment().path("spec").has("replicas")).as("a replicas field would fight the autoscaler on every upgrade").isFalse();
        assertThat(chart.render(ACME).kinds()).doesNotContain("HorizontalPodAutoscaler");
    }

    @Test
    void autoscalingWithoutACpuRequestOrWithMinAboveMaxIsRefused() {
        chart.assertRefused(ACME + "autoscaling: {enabled: true}")
                .hasMessageContaining("autoscaling.enabled needs resources.requests.cpu");
        chart.assertRefused(ACME + CPU_REQUEST + "autoscaling: {enabled: true, minReplicas: 4, maxReplicas: 2}")
                .hasMessageContaining("autoscaling.minReplicas (4) is above autoscaling.maxReplicas (2)");
    }

    @Test
    void spreadConstraintsSelectTheGatewayPodsUnlessTheySaySomethingElse() {
        JsonNode constraints = chart.render(ACME + """
                topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: topology.kubernetes.io/zone
                    whenUnsatisfiable: ScheduleAnyway
                  - maxSkew: 2
                    topologyKey: kubernetes.io/hostname
                    whenUnsatisfiable: DoNotSchedule
                    labelSelector: {matchLabels: {app: other}}
                """).podSpec().path("topologySpreadConstraints");

        JsonNode podLabels = chart.render(ACME).deployment().path("spec").path("selector").path("matchLabels");
        assertThat(constraints.get(0)).isEqualTo(yaml("""
                maxSkew: 1
                topologyKey: topology.kubernetes.io/zone
                whenUnsatisfiable: ScheduleAnyway
                labelSelector: {matchLabels: %s}
                """.formatted(podLabels)));
        assertThat(constraints.get(1).path("labelSelector")).isEqualTo(yaml("{matchLabels: {app: other}}"));
        assertThat(chart.render(ACME).podSpec().has("topologySpreadConstraints")).isFalse();
    }

    @Test
    void aBudgetWithoutNumbersLetsOnePodGoAtATimeAndBothNumbersAreRefused() {
        assertThat(chart.render(ACME + "pdb: {create: true}").one("PodDisruptionBudget").path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        chart.assertRefused(ACME + "pdb: {create: true, minAvailable: 1, maxUnavailable: 1}")
                .hasMessageContaining("pdb: set pdb.minAvailable or pdb.maxUnavailable, not both");
    }

    @Test
    void theNotesWarnWhenTheBudgetWouldBlockEveryDrain() {
        assertThat(chart.notes(ACME + "replicaCount: 2\npdb: {create: true, minAvailable: 2}"))
                .contains("WARNING: pdb.minAvailable is 2 with 2 replica(s): no gateway pod can be evicted");
        assertThat(chart.notes(ACME + CPU_REQUEST + "autoscaling: {enabled: true, minReplicas: 1}\npdb: {create: true, minAvailable: 1}"))
                .contains("WARNING: pdb.minAvailable is 1 with 1 replica(s)");
        assertThat(chart.notes(ACME + CPU_REQUEST + "autoscaling: {enabled: true, minReplicas: 3}\npdb: {create: true, minAvailable: 2}"))
                .doesNotContain("WARNING").contains("a HorizontalPodAutoscaler keeps 3 to 6 replicas");
        assertThat(chart.notes(ACME + "replicaCount: 2\npdb: {create: true, minAvailable: '50%'}")).doesNotContain("WARNING");
    }

    @Test
    void podsGetTimeToLeaveTheServiceAndDrainBeforeTheyAreKilled() {
        JsonNode pod = chart.render(ACME).podSpec();

        assertThat(pod.path("containers").get(0).path("lifecycle").path("preStop").path("exec").path("command")).isEqualTo(yaml("[sleep, '5']"));
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(40);
        assertThat(chart.render(ACME + "preStopSleepSeconds: 0").container().has("lifecycle")).isFalse();
        chart.assertRefused(ACME + "terminationGracePeriodSeconds: 20")
                .hasMessageContaining("terminationGracePeriodSeconds (20) must be at least preStopSleepSeconds + shutdownTimeoutSeconds, the gateway's drain (35)");
        assertThat(chart.render(ACME + "terminationGracePeriodSeconds: 90\npreStopSleepSeconds: 15").podSpec().path("terminationGracePeriodSeconds").asInt())
                .isEqualTo(90);
    }

    @Test
    void theGatewayDrainsForTheChartsShutdownTimeout() throws Exception {
        Manifests rendered = chart.render(ACME + "shutdownTimeoutSeconds: 45\nterminationGracePeriodSeconds: 50");

        assertThat(rendered.loadInGateway(dir.resolve("pod")).shutdownTimeout()).isEqualTo(Duration.ofSeconds(45));
        chart.assertRefused(ACME + "shutdownTimeoutSeconds: 45\nterminationGracePeriodSeconds: 49")
                .hasMessageContaining("the gateway's drain (50)");
    }
}
