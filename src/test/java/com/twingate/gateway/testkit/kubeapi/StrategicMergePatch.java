package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strategic merge patch, which kubectl apply sends, close enough for the stand-in. The real one
 * looks up each list's merge key in the type's schema; this one merges a list by {@code name} when
 * every element on both sides has one (containers, env, volumes: the lists apply changes most) and
 * replaces other lists, as a merge patch would. It honours {@code $patch: delete} on list elements
 * and {@code $setElementOrder/…}; other directives are dropped rather than stored as fields.
 */
final class StrategicMergePatch {

    private static final String DIRECTIVE = "$";
    private static final String ELEMENT_ORDER = "$setElementOrder/";

    private StrategicMergePatch() {}

    static ObjectNode apply(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiError.badRequest("a strategic merge patch must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : new ArrayList<>(patch.properties())) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            JsonNode existing = target.get(name);
            if (name.startsWith(DIRECTIVE)) {
                continue;
            }
            if (value.isNull()) {
                target.remove(name);
            } else if (value.isObject()) {
                target.set(name, apply(existing != null && existing.isObject() ? (ObjectNode) existing : target.objectNode(), value));
            } else if (value.isArray() && named(value) && (existing == null || named(existing))) {
                target.set(name, mergeByName(existing, (ArrayNode) value, patch.get(ELEMENT_ORDER + name)));
            } else {
                target.set(name, value.deepCopy());
            }
        }
        return target;
    }

    private static ArrayNode mergeByName(JsonNode existing, ArrayNode patch, JsonNode order) {
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        if (existing != null) {
            existing.forEach(element -> merged.put(element.get("name").asText(), (ObjectNode) element.deepCopy()));
        }
        for (JsonNode element : patch) {
            String name = element.get("name").asText();
            if ("delete".equals(element.path(DIRECTIVE + "patch").asText())) {
                merged.remove(name);
            } else {
                ObjectNode current = merged.getOrDefault(name, patch.objectNode());
                merged.put(name, apply(current, element));
            }
        }
        ArrayNode result = patch.arrayNode();
        if (order != null && order.isArray()) {
            for (JsonNode named : order) {
                ObjectNode element = merged.remove(named.path("name").asText());
                if (element != null) {
                    result.add(element);
                }
            }
        }
        merged.values().forEach(result::add);
        return result;
    }

    /** A list of objects that all carry a {@code name}. */
    private static boolean named(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            return list.isArray();
        }
        for (JsonNode element : list) {
            if (!element.isObject() || !element.path("name").isTextual()) {
                return false;
            }
        }
        return true;
    }
}
