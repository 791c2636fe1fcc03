package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386), which the stand-in applies for every patch type. kubectl apply sends a
 * strategic merge patch; for the objects kubectl applies here the difference is in lists, which a
 * strategic patch merges by key and this replaces. Its {@code $}-directives (such as
 * {@code $setElementOrder/containers}) are instructions, not fields, so they are dropped.
 */
final class MergePatch {

    private MergePatch() {}

    static ObjectNode apply(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiError.badRequest("a merge patch must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : new ArrayList<>(patch.properties())) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.startsWith("$")) {
                continue;
            }
            if (value.isNull()) {
                target.remove(name);
            } else if (value.isObject()) {
                JsonNode existing = target.get(name);
                ObjectNode merged = existing != null && existing.isObject() ? (ObjectNode) existing : target.objectNode();
                target.set(name, apply(merged, value));
            } else {
                target.set(name, value.deepCopy());
            }
        }
        return target;
    }
}
