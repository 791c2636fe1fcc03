package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Map;

/** JSON merge patch (RFC 7386): objects merge, {@code null} removes, anything else replaces. */
final class MergePatch {

    private MergePatch() {}

    static ObjectNode apply(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            throw ApiError.badRequest("a merge patch must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : new ArrayList<>(patch.properties())) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(name);
            } else if (value.isObject()) {
                JsonNode existing = target.get(name);
                target.set(name, apply(existing != null && existing.isObject() ? (ObjectNode) existing : target.objectNode(), value));
            } else {
                target.set(name, value.deepCopy());
            }
        }
        return target;
    }
}
