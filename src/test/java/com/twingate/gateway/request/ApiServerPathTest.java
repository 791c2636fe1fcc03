package com.twingate.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The path as the API server routes it: decoded as Go decodes it; any other spelling of a pod stream is refused. */
class ApiServerPathTest {

    @Test
    void aCanonicalPodStreamIsNamedWithItsDecodedParts() {
        assertThat(ApiServerPath.classify("/api/v1/namespaces/ns1/pods/pod1/exec"))
                .isEqualTo(new ApiServerPath.PodStream("ns1", "pod1", "exec"));
        assertThat(ApiServerPath.classify("/api/v1/namespaces/ns1/pods/pod1/%65xec"))
                .isEqualTo(new ApiServerPath.PodStream("ns1", "pod1", "exec"));
        assertThat(ApiServerPath.classify("/api/v1/namespaces/ns1/pods/pod1%2Fattach"))
                .isEqualTo(new ApiServerPath.PodStream("ns1", "pod1", "attach"));
        assertThat(ApiServerPath.classify("/api/v1/namespaces/ns1/pods/pod1/portforward"))
                .isEqualTo(new ApiServerPath.PodStream("ns1", "pod1", "portforward"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/v1/namespaces/ns1/pods/pod1/exec/",
            "/api/v1//namespaces/ns1/pods/pod1/exec",
            "//api/v1/namespaces/ns1/pods/pod1/exec",
            "/api/v1/namespaces//pods/pod1/exec",
            "/api/v1/namespaces/ns1/pods/./pod1/exec",
            "/api/v1/namespaces/ns1/pods/x/../pod1/exec",
            "/api/v1/namespaces/ns1/pods/pod1/./exec",
            "/api/v1/namespaces/ns1/pods/../exec",
            "/api/v1/namespaces/ns1/pods/%2E%2E/exec",
            "/api/v1/namespaces/ns1/pods/pod1/exec%2F",
            "/api/v1/namespaces/ns1/pods/pod1/x/%2E%2E/attach",
            "/api/v2/../v1/namespaces/ns1/pods/pod1/portforward"})
    void anyOtherSpellingOfAPodStreamIsAmbiguous(String path) {
        assertThat(ApiServerPath.classify(path)).isInstanceOf(ApiServerPath.Ambiguous.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/v1/namespaces/ns1/pods/pod1",
            "/api/v1/namespaces/ns1/pods/pod1/log",
            "/api/v1/namespaces/ns1/pods/pod1/exec/extra",
            "/api/v1/namespaces/ns1/services/pod1/exec",
            "/apis/apps/v1/namespaces/ns1/deployments/web",
            "/api/v1/namespaces/ns1/pods/pod1/%zzexec",
            "/version"})
    void otherPathsAreNotPodStreams(String path) {
        assertThat(ApiServerPath.classify(path)).isInstanceOf(ApiServerPath.OtherPath.class);
    }

    @Test
    void decodingIsGos() {
        assertThat(ApiServerPath.decode("/a%2Fb+c%C3%A9")).contains("/a/b+cé");
        assertThat(ApiServerPath.decode("/a%2")).isEmpty();
        assertThat(ApiServerPath.decode("/a%g0")).isEmpty();
    }
}
