package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The status a pod reports here: there is no kubelet, so every pod runs, at once, every container of its
 * spec (what kubectl exec, attach and logs check before they start).
 */
final class PodStatus {

    private PodStatus() {}

    /** {@code pod} with its status set to running and ready; kept if already so (a change is a new version). */
    static ObjectNode running(ObjectNode pod) {
        String startTime = pod.path("status").path("startTime")
                .asText(DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        ObjectNode status = pod.putObject("status");
        status.put("phase", "Running");
        ArrayNode conditions = status.putArray("conditions");
        for (String condition : new String[] {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
            conditions.addObject().put("type", condition).put("status", "True").put("lastTransitionTime", startTime);
        }
        status.put("hostIP", "127.0.0.1");
        status.put("podIP", "127.0.0.1");
        status.put("startTime", startTime);
        ArrayNode containerStatuses = status.putArray("containerStatuses");
        for (JsonNode container : pod.path("spec").path("containers")) {
            ObjectNode containerStatus = containerStatuses.addObject();
            containerStatus.put("name", container.path("name").asText());
            containerStatus.withObject("state").withObject("running").put("startedAt", startTime);
            containerStatus.put("ready", true);
            containerStatus.put("started", true);
            containerStatus.put("restartCount", 0);
            containerStatus.put("image", container.path("image").asText());
            containerStatus.put("imageID", "");
        }
        return pod;
    }
}
