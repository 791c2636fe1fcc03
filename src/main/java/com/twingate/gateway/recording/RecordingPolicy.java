package com.twingate.gateway.recording;

import com.twingate.gateway.token.GatClaims;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * Which upgraded requests are recorded [§6]: exec and attach, except file copies ({@code kubectl cp},
 * an exec of {@code tar}); port-forward and anything else is relayed unrecorded.
 */
public final class RecordingPolicy {

    private static final Pattern EXEC_OR_ATTACH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach)$");
    private static final String KUBECTL_COMMAND = "Kubectl-Command";

    private RecordingPolicy() {}

    /** @return the session's description when it is to be recorded */
    public static Optional<SessionInfo> decide(String path, String query, HttpFields headers, GatClaims.User user,
                                              String connectionId, String requestId) {
        Matcher target = EXEC_OR_ATTACH.matcher(path);
        if (!target.matches() || "kubectl cp".equals(headers.get(KUBECTL_COMMAND))) {
            return Optional.empty();
        }
        Fields parameters = new Fields();
        if (query != null) {
            UrlEncoded.decodeUtf8To(query, parameters);
        }
        List<String> command = parameters.getValues("command");
        if (command == null) {
            command = List.of();
        }
        if (target.group(3).equals("exec") && !command.isEmpty() && command.getFirst().equals("tar")) {
            return Optional.empty();
        }
        String container = parameters.getValue("container");
        return Optional.of(new SessionInfo(target.group(1), target.group(2), container == null ? "" : container,
                command, "true".equals(parameters.getValue("tty")), user, connectionId, requestId));
    }
}
