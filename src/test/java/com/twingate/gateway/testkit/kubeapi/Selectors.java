package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code labelSelector} and {@code fieldSelector}, in their equality forms ({@code a=b}, {@code a==b},
 * {@code a!=b}, and for labels {@code a} and {@code !a}), comma-separated. kubectl delete waits on
 * {@code metadata.name=…}; set-based label selectors are refused rather than misread.
 */
final class Selectors {

    private Selectors() {}

    static Predicate<ObjectNode> labels(String selector) {
        return all(selector, requirement -> {
            if (requirement.contains(" in ") || requirement.contains(" notin ") || requirement.contains("(")) {
                throw ApiError.badRequest("the stand-in supports only equality label selectors, not: " + requirement);
            }
            if (!requirement.contains("=")) {
                boolean absent = requirement.startsWith("!");
                String key = absent ? requirement.substring(1) : requirement;
                return object -> object.path("metadata").path("labels").has(key) != absent;
            }
            return compare(requirement, (object, key) -> object.path("metadata").path("labels").get(key));
        });
    }

    static Predicate<ObjectNode> fields(String selector) {
        return all(selector, requirement -> compare(requirement, (object, path) -> {
            JsonNode node = object;
            for (String part : path.split("\\.")) {
                node = node.path(part);
            }
            return node.isMissingNode() ? null : node;
        }));
    }

    private interface Lookup {
        JsonNode find(ObjectNode object, String key);
    }

    private static Predicate<ObjectNode> compare(String requirement, Lookup lookup) {
        boolean negated = requirement.contains("!=");
        String[] parts = requirement.split("!=|==|=", 2);
        if (parts.length != 2) {
            throw ApiError.badRequest("invalid selector: " + requirement);
        }
        String key = parts[0].trim();
        String wanted = parts[1].trim();
        return object -> {
            JsonNode value = lookup.find(object, key);
            boolean equal = wanted.equals(value == null ? "" : value.asText());
            return equal != negated;
        };
    }

    private static Predicate<ObjectNode> all(String selector, Function<String, Predicate<ObjectNode>> parse) {
        Predicate<ObjectNode> all = object -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String requirement : selector.split(",")) {
            if (!requirement.isBlank()) {
                all = all.and(parse.apply(requirement.trim()));
            }
        }
        return all;
    }
}
