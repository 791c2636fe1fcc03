package com.twingate.gateway.testkit.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The patches kubectl apply sends for a pod, as the stand-in applies them. */
class StrategicMergePatchTest {

    private static final String POD = """
            {"metadata":{"name":"p","labels":{"app":"a","tier":"t"}},
             "spec":{"containers":[{"name":"app","image":"one","command":["serve"]},{"name":"side","image":"s"}]}}""";

    @Test
    void aContainerChangedByNameKeepsItsOtherFieldsAndItsSiblings() throws Exception {
        ObjectNode patched = patch(POD, """
                {"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"side"}],
                         "containers":[{"name":"app","image":"two"}]}}""");

        assertThat(patched.at("/spec/containers")).isEqualTo(json("""
                [{"name":"app","image":"two","command":["serve"]},{"name":"side","image":"s"}]"""));
    }

    @Test
    void elementsAreDeletedAddedAndOrderedAsTheDirectivesSay() throws Exception {
        ObjectNode patched = patch(POD, """
                {"spec":{"$setElementOrder/containers":[{"name":"new"},{"name":"app"}],
                         "containers":[{"name":"side","$patch":"delete"},{"name":"new","image":"n"}]}}""");

        assertThat(patched.at("/spec/containers")).isEqualTo(json("""
                [{"name":"new","image":"n"},{"name":"app","image":"one","command":["serve"]}]"""));
    }

    @Test
    void nullRemovesAFieldAndListsWithoutNamesAreReplaced() throws Exception {
        ObjectNode patched = patch(POD, """
                {"metadata":{"labels":{"tier":null}},"spec":{"containers":[{"name":"app","command":["run","fast"]}]}}""");

        assertThat(patched.at("/metadata/labels")).isEqualTo(json("{\"app\":\"a\"}"));
        assertThat(patched.at("/spec/containers/0/command")).isEqualTo(json("[\"run\",\"fast\"]"));
    }

    private static ObjectNode patch(String target, String patch) throws Exception {
        return StrategicMergePatch.apply((ObjectNode) json(target), json(patch));
    }

    private static JsonNode json(String text) throws Exception {
        return Statuses.JSON.readTree(text);
    }
}
