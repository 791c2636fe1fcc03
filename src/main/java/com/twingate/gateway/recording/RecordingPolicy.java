package com.twingate.gateway.recording;

import com.twingate.gateway.audit.KubernetesRequestInfo;
import com.twingate.gateway.request.ApiServerPath;
import com.twingate.gateway.token.GatClaims;
import java.util.List;
import java.util.Optional;

/**
 * Which upgraded requests are recorded: every exec and attach, decided from what the API server will
 * run — the path as it routes it ({@link ApiServerPath}) — and never from what a client says about
 * itself. A file copy ({@code kubectl cp}) is an exec of {@code tar} and is recorded like any other:
 * {@code tar} can start programs, and a header naming the client is the client's to choose.
 * Port-forward carries no terminal and is relayed unrecorded.
 */
public final class RecordingPolicy {

    private RecordingPolicy() {}

    /**
     * @param path  the path as sent (percent-encoded)
     * @param query the raw query, or null
     * @return the session's description when it is to be recorded
     */
    public static Optional<SessionInfo> decide(String method, String path, String query, GatClaims.User user,
                                              String connectionId, String requestId) {
        if (!(ApiServerPath.classify(path) instanceof ApiServerPath.PodStream stream) || stream.subresource().equals("portforward")) {
            return Optional.empty();
        }
        KubernetesRequestInfo.Session asked = KubernetesRequestInfo.of(method, path, query).session()
                .orElseGet(() -> new KubernetesRequestInfo.Session("", List.of(), false, false));
        return Optional.of(new SessionInfo(stream.namespace(), stream.pod(), asked.container(), asked.command(), asked.tty(),
                user, connectionId, requestId));
    }
}
