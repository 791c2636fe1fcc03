package com.twingate.gateway.request;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request path as the API server reads it. Go's {@code net/http} decodes every escape, an escaped
 * slash included ({@code %2F} separates segments in {@code URL.Path}), and the API server routes the
 * decoded segments as they are: it neither resolves dot segments nor merges slashes, but layers differ on
 * a trailing slash. The gateway decides what it records from this path, so a path whose spelling could
 * make the API server run a pod stream the gateway does not see as one is {@link Ambiguous}: refused,
 * never guessed at.
 */
public final class ApiServerPath {

    /** The pod subresources that stream: exec and attach run commands, portforward carries ports. */
    private static final Pattern POD_STREAM = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach|portforward)");
    private static final Set<String> DOT_SEGMENTS = Set.of(".", "..");

    private ApiServerPath() {}

    /** Where a request goes, as far as recording is concerned. */
    public sealed interface Target permits PodStream, OtherPath, Ambiguous {}

    /** {@code /api/v1/namespaces/{namespace}/pods/{pod}/{subresource}}, spelled canonically. */
    public record PodStream(String namespace, String pod, String subresource) implements Target {}

    /** Anything else: no spelling of it reaches a pod stream. */
    public record OtherPath() implements Target {}

    /** A pod stream under some reading of the path, but not spelled canonically. */
    public record Ambiguous(String decodedPath) implements Target {}

    /** @param rawPath the path as sent, percent-encoded */
    public static Target classify(String rawPath) {
        Optional<String> decoded = decode(rawPath);
        if (decoded.isEmpty()) {
            // Go refuses a malformed escape with 400 before any handler runs.
            return new OtherPath();
        }
        String path = decoded.get();
        Matcher canonical = POD_STREAM.matcher(path);
        if (canonical.matches() && !DOT_SEGMENTS.contains(canonical.group(1)) && !DOT_SEGMENTS.contains(canonical.group(2))) {
            return new PodStream(canonical.group(1), canonical.group(2), canonical.group(3));
        }
        if (POD_STREAM.matcher(normalized(path)).matches() || looselyAPodStream(path)) {
            return new Ambiguous(path);
        }
        return new OtherPath();
    }

    /**
     * Go's {@code URL.Path}: every {@code %XX} decoded as a byte, the bytes read as UTF-8, {@code +} kept.
     *
     * @return empty when an escape is malformed (Go's server answers such a request 400 itself)
     */
    public static Optional<String> decode(String rawPath) {
        if (rawPath.indexOf('%') < 0) {
            return Optional.of(rawPath);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(rawPath.length());
        int plain = 0;
        for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', plain)) {
            out.writeBytes(rawPath.substring(plain, i).getBytes(StandardCharsets.UTF_8));
            if (i + 2 >= rawPath.length()) {
                return Optional.empty();
            }
            int high = Character.digit(rawPath.charAt(i + 1), 16);
            int low = Character.digit(rawPath.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            out.write(high << 4 | low);
            plain = i + 3;
        }
        out.writeBytes(rawPath.substring(plain).getBytes(StandardCharsets.UTF_8));
        return Optional.of(out.toString(StandardCharsets.UTF_8));
    }

    /** The path with empty and dot segments resolved away, as a URL-cleaning layer would read it. */
    private static String normalized(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        return "/" + String.join("/", segments);
    }

    /** {@code path} without the slashes at its ends, as the API server's request-info parser and router take it. */
    public static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /**
     * The path read segment by segment as a router that trims slashes at its ends reads it: an empty
     * or dot segment between two slashes is a name there.
     */
    private static boolean looselyAPodStream(String path) {
        String[] segments = trimSlashes(path).split("/", -1);
        return segments.length == 7 && segments[0].equals("api") && segments[1].equals("v1")
                && segments[2].equals("namespaces") && segments[4].equals("pods")
                && Set.of("exec", "attach", "portforward").contains(segments[6]);
    }
}
