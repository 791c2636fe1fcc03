package com.twingate.gateway.audit;

import com.twingate.gateway.request.ApiServerPath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * What a request does to which Kubernetes object, computed from method, path and query exactly as the
 * API server's {@code RequestInfoFactory} computes its request info (the verb RBAC and the API server's
 * own audit events use), plus what exec, attach and port-forward say in their query.
 *
 * <p>{@link #verb()} is the API server's verb. The audit line shows {@link #action()}, which names the
 * connect subresources ({@code exec}, {@code attach}, {@code portforward}, {@code proxy}) instead of
 * the {@code create}/{@code get} the API server authorises them as; the HTTP method stays on the line.
 *
 * @param resourceRequest false for non-resource URLs ({@code /version}, {@code /api}, {@code /openapi/v2})
 * @param verb            get, list, watch, create, update, patch, delete, deletecollection, proxy; the
 *                        lower-case HTTP method for a non-resource URL; empty for an unknown method
 * @param apiGroup        empty for the core group ({@code /api})
 * @param namespace       empty for cluster-scoped requests
 * @param session         for exec and attach: what the query asks for
 * @param ports           for port-forward: the {@code ports} query values (kubectl names its ports
 *                        in the SPDY stream headers instead, so its URLs carry none)
 */
public record KubernetesRequestInfo(
        boolean resourceRequest,
        String verb,
        String apiGroup,
        String apiVersion,
        String namespace,
        String resource,
        String subresource,
        String name,
        Optional<Session> session,
        List<String> ports) {

    /** The query of an exec or attach: container, argv, and whether a terminal and stdin are wanted. */
    public record Session(String container, List<String> command, boolean tty, boolean stdin) {
        public Session {
            command = List.copyOf(command);
        }
    }

    /** The subresources the API server's metrics label as CONNECT: long-lived streams, not object changes. */
    private static final Set<String> CONNECT_SUBRESOURCES = Set.of("exec", "attach", "portforward", "proxy");
    private static final Set<String> SESSION_SUBRESOURCES = Set.of("exec", "attach");
    private static final Set<String> API_PREFIXES = Set.of("api", "apis");
    private static final Set<String> GROUPLESS_API_PREFIXES = Set.of("api");
    private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
    private static final Set<String> SPECIAL_VERBS_NO_SUBRESOURCES = Set.of("proxy");
    /** Distinguishes a namespace's own subresources from resources inside the namespace. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
    /** ListOptions fields the API server decodes as integers; one that does not parse voids the options. */
    private static final List<String> INTEGER_LIST_OPTIONS = List.of("limit", "timeoutSeconds");

    public KubernetesRequestInfo {
        ports = List.copyOf(ports);
    }

    /** What the audit line calls the verb: the connect subresource's name, else the API server's verb. */
    public String action() {
        return resourceRequest && CONNECT_SUBRESOURCES.contains(subresource) ? subresource : verb;
    }

    /**
     * @param path  the path as sent (percent-encoded)
     * @param query the raw query, or null
     */
    public static KubernetesRequestInfo of(String method, String path, String query) {
        Fields parameters = new Fields();
        if (query != null && !query.isEmpty()) {
            UrlEncoded.decodeUtf8To(query, parameters);
        }
        String nonResourceVerb = method.toLowerCase(Locale.ROOT);
        List<String> parts = splitPath(decoded(path));
        if (parts.size() < 3 || !API_PREFIXES.contains(parts.getFirst())) {
            return nonResource(nonResourceVerb);
        }
        String prefix = parts.getFirst();
        parts = parts.subList(1, parts.size());
        String apiGroup = "";
        if (!GROUPLESS_API_PREFIXES.contains(prefix)) {
            // The prefix is consumed, so this asks "were there four parts?"
            if (parts.size() < 3) {
                return nonResource(nonResourceVerb);
            }
            apiGroup = parts.getFirst();
            parts = parts.subList(1, parts.size());
        }
        String apiVersion = parts.getFirst();
        parts = parts.subList(1, parts.size());

        String verb;
        if (SPECIAL_VERBS.contains(parts.getFirst())) {
            if (parts.size() < 2) {
                // The API server refuses this request ("unable to determine kind and namespace").
                return new KubernetesRequestInfo(true, nonResourceVerb, apiGroup, apiVersion, "", "", "", "",
                        Optional.empty(), List.of());
            }
            verb = parts.getFirst();
            parts = parts.subList(1, parts.size());
        } else {
            verb = switch (method) {
                case "POST" -> "create";
                case "GET", "HEAD" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> "";
            };
        }

        String namespace = "";
        if (parts.getFirst().equals("namespaces")) {
            if (parts.size() > 1) {
                namespace = parts.get(1);
                if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
                    parts = parts.subList(2, parts.size());
                }
            }
        }

        String resource = parts.getFirst();
        String name = parts.size() >= 2 ? parts.get(1) : "";
        String subresource = parts.size() >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.contains(verb) ? parts.get(2) : "";

        if (name.isEmpty() && verb.equals("get")) {
            ListOptions options = ListOptions.decode(parameters);
            verb = options.watch() ? "watch" : "list";
            name = options.name().orElse("");
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }

        Optional<Session> session = Optional.empty();
        List<String> ports = List.of();
        if (resource.equals("pods") && SESSION_SUBRESOURCES.contains(subresource)) {
            session = Optional.of(new Session(Optional.ofNullable(parameters.getValue("container")).orElse(""),
                    values(parameters, "command"), bool(parameters, "tty"), bool(parameters, "stdin")));
        } else if (resource.equals("pods") && subresource.equals("portforward")) {
            ports = values(parameters, "ports").stream().flatMap(value -> Arrays.stream(value.split(","))).toList();
        }
        return new KubernetesRequestInfo(true, verb, apiGroup, apiVersion, namespace, resource, subresource, name,
                session, ports);
    }

    private static KubernetesRequestInfo nonResource(String verb) {
        return new KubernetesRequestInfo(false, verb, "", "", "", "", "", "", Optional.empty(), List.of());
    }

    /** The API server's path is Go's decoded {@code URL.Path}: an escaped slash separates parts too. */
    private static String decoded(String path) {
        // Go's server refuses a malformed escape before any handler sees it; the raw path is the best we know.
        return ApiServerPath.decode(path).orElse(path);
    }

    private static List<String> splitPath(String path) {
        String trimmed = ApiServerPath.trimSlashes(path);
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }

    private static List<String> values(Fields parameters, String name) {
        List<String> values = parameters.getValues(name);
        return values == null ? List.of() : values;
    }

    /** The API server's conversion: only absence, "0" and "false" (any case) are false; "" is true. */
    static boolean bool(Fields parameters, String name) {
        List<String> values = parameters.getValues(name);
        if (values == null || values.isEmpty()) {
            return false;
        }
        String first = values.getFirst();
        return !(first.equals("0") || first.equalsIgnoreCase("false"));
    }

    /** The parts of the list options that decide verb and name. */
    private record ListOptions(boolean watch, Optional<String> name) {

        /**
         * As the API server decodes them: when the options do not decode (an integer that is not one, a
         * field selector that does not parse), watch is read on its own and no name is taken. A label
         * selector that does not parse also voids them there; the API server then refuses the request, so
         * the audit line loses nothing by not parsing label selectors here.
         */
        static ListOptions decode(Fields parameters) {
            boolean watch = bool(parameters, "watch");
            for (String integer : INTEGER_LIST_OPTIONS) {
                String value = parameters.getValue(integer);
                if (value != null && !isInt64(value)) {
                    return new ListOptions(watch, Optional.empty());
                }
            }
            String selector = parameters.getValue("fieldSelector");
            if (selector == null) {
                return new ListOptions(watch, Optional.empty());
            }
            try {
                return new ListOptions(watch, FieldSelector.exactMatch(selector, "metadata.name")
                        .filter(ListOptions::isValidPathSegmentName));
            } catch (IllegalArgumentException invalid) {
                return new ListOptions(watch, Optional.empty());
            }
        }

        private static boolean isInt64(String value) {
            try {
                Long.parseLong(value);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** apimachinery's {@code path.IsValidPathSegmentName}. */
        private static boolean isValidPathSegmentName(String name) {
            return !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('%') < 0;
        }
    }

    /** apimachinery's field selector grammar, as far as {@code RequiresExactMatch} needs it. */
    static final class FieldSelector {

        /** Checked in this order at each position, so {@code !=} and {@code ==} win over {@code =}. */
        private static final List<String> OPERATORS = List.of("!=", "==", "=");

        private FieldSelector() {}

        /** @throws IllegalArgumentException when the selector does not parse */
        static Optional<String> exactMatch(String selector, String field) {
            List<String> terms = new ArrayList<>(splitTerms(selector));
            // The API server sorts the terms before it looks for a match.
            terms.sort(null);
            Optional<String> match = Optional.empty();
            for (String term : terms) {
                if (term.isEmpty()) {
                    continue;
                }
                Term parsed = Term.parse(term);
                if (match.isEmpty() && parsed.field().equals(field) && !parsed.operator().equals("!=")) {
                    match = Optional.of(parsed.value());
                }
            }
            return match;
        }

        private static List<String> splitTerms(String selector) {
            List<String> terms = new ArrayList<>();
            StringBuilder term = new StringBuilder();
            boolean escaped = false;
            for (int i = 0; i < selector.length(); i++) {
                char c = selector.charAt(i);
                if (escaped) {
                    term.append(c);
                    escaped = false;
                } else if (c == '\\') {
                    term.append(c);
                    escaped = true;
                } else if (c == ',') {
                    terms.add(term.toString());
                    term.setLength(0);
                } else {
                    term.append(c);
                }
            }
            terms.add(term.toString());
            return terms;
        }

        private record Term(String field, String operator, String value) {

            static Term parse(String term) {
                for (int i = 0; i < term.length(); i++) {
                    for (String operator : OPERATORS) {
                        if (term.startsWith(operator, i)) {
                            return new Term(term.substring(0, i), operator, unescape(term.substring(i + operator.length())));
                        }
                    }
                }
                throw new IllegalArgumentException("invalid selector term: " + term);
            }

            private static String unescape(String value) {
                StringBuilder out = new StringBuilder(value.length());
                boolean escaped = false;
                for (char c : value.toCharArray()) {
                    if (escaped) {
                        if (c != '\\' && c != ',' && c != '=') {
                            throw new IllegalArgumentException("invalid escape sequence \\" + c);
                        }
                        out.append(c);
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == ',' || c == '=') {
                        throw new IllegalArgumentException("unescaped " + c + " in a field selector value");
                    } else {
                        out.append(c);
                    }
                }
                if (escaped) {
                    throw new IllegalArgumentException("unterminated escape sequence");
                }
                return out.toString();
            }
        }
    }
}
