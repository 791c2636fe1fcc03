package com.twingate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.audit.KubernetesRequestInfo.Session;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Verb, group, version, namespace, resource, subresource and name for URLs that kubectl and client-go
 * really send, as the API server's {@code RequestInfoFactory} computes them ({@code -} = empty).
 */
class KubernetesRequestInfoTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # method | path and query                                                                     | action           | API verb         | group                        | version  | namespace | resource              | subresource | name
            # discovery and other non-resource URLs (kubectl's first requests, get --raw)
            GET      | /api?timeout=32s                                                                   | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /apis?timeout=32s                                                                  | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /api/v1?timeout=32s                                                                | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /apis/apps/v1?timeout=32s                                                          | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /version?timeout=32s                                                               | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /openapi/v2?timeout=32s                                                            | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /openapi/v3/apis/apps/v1?hash=ABC123                                               | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /                                                                                  | get              | get              | -                            | -        | -         | -                     | -           | -
            GET      | /readyz?verbose                                                                    | get              | get              | -                            | -        | -         | -                     | -           | -
            # core resources: kubectl get, get -A, get NAME, get -w, describe, wait, logs
            GET      | /api/v1/namespaces/default/pods?limit=500                                          | list             | list             | -                            | v1       | default   | pods                  | -           | -
            GET      | /api/v1/pods?limit=500                                                             | list             | list             | -                            | v1       | -         | pods                  | -           | -
            GET      | /api/v1/namespaces/default/pods/web-0                                              | get              | get              | -                            | v1       | default   | pods                  | -           | web-0
            HEAD     | /api/v1/namespaces/default/pods/web-0                                              | get              | get              | -                            | v1       | default   | pods                  | -           | web-0
            GET      | /api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb-0&resourceVersion=42&watch=true | watch | watch     | -                            | v1       | default   | pods                  | -           | web-0
            GET      | /api/v1/namespaces/default/pods?allowWatchBookmarks=true&resourceVersion=42&timeoutSeconds=300&watch=1 | watch | watch | -                     | v1       | default   | pods                  | -           | -
            GET      | /api/v1/namespaces/default/pods?watch=false                                        | list             | list             | -                            | v1       | default   | pods                  | -           | -
            GET      | /api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb-0&limit=500      | list             | list             | -                            | v1       | default   | pods                  | -           | web-0
            GET      | /api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb-0%2CinvolvedObject.namespace%3Ddefault | list | list | -             | v1       | default   | events                | -           | -
            GET      | /api/v1/namespaces/default/pods/web-0/log?container=app&follow=true&tailLines=10   | get              | get              | -                            | v1       | default   | pods                  | log         | web-0
            GET      | /api/v1/watch/namespaces/default/pods                                              | watch            | watch            | -                            | v1       | default   | pods                  | -           | -
            # namespaces and their own subresources; cluster-scoped resources
            GET      | /api/v1/namespaces                                                                 | list             | list             | -                            | v1       | -         | namespaces            | -           | -
            GET      | /api/v1/namespaces/kube-system                                                     | get              | get              | -                            | v1       | kube-system | namespaces          | -           | kube-system
            PUT      | /api/v1/namespaces/stuck/finalize                                                  | update           | update           | -                            | v1       | stuck     | namespaces            | finalize    | stuck
            GET      | /api/v1/nodes?limit=500                                                            | list             | list             | -                            | v1       | -         | nodes                 | -           | -
            GET      | /apis/rbac.authorization.k8s.io/v1/clusterroles/admin                              | get              | get              | rbac.authorization.k8s.io    | v1       | -         | clusterroles          | -           | admin
            # grouped resources: apply, edit, scale, rollout, top, auth
            POST     | /apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict | create | create | apps          | v1       | default   | deployments           | -           | -
            PATCH    | /apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl-edit&fieldValidation=Strict | patch | patch | apps                   | v1       | default   | deployments           | -           | web
            PATCH    | /apis/apps/v1/namespaces/default/deployments/web/scale                             | patch            | patch            | apps                         | v1       | default   | deployments           | scale       | web
            GET      | /apis/apps/v1/deployments?labelSelector=app%3Dweb&limit=500                        | list             | list             | apps                         | v1       | -         | deployments           | -           | -
            GET      | /apis/metrics.k8s.io/v1beta1/namespaces/default/pods                               | list             | list             | metrics.k8s.io               | v1beta1  | default   | pods                  | -           | -
            POST     | /apis/authentication.k8s.io/v1/selfsubjectreviews                                  | create           | create           | authentication.k8s.io        | v1       | -         | selfsubjectreviews    | -           | -
            POST     | /apis/authorization.k8s.io/v1/selfsubjectaccessreviews                             | create           | create           | authorization.k8s.io         | v1       | -         | selfsubjectaccessreviews | -        | -
            # writes and deletes: create token, drain, status, delete, delete --all
            POST     | /api/v1/namespaces/default/serviceaccounts/builder/token                           | create           | create           | -                            | v1       | default   | serviceaccounts       | token       | builder
            POST     | /api/v1/namespaces/default/pods/web-0/eviction                                     | create           | create           | -                            | v1       | default   | pods                  | eviction    | web-0
            PUT      | /api/v1/namespaces/default/pods/web-0/status                                       | update           | update           | -                            | v1       | default   | pods                  | status      | web-0
            DELETE   | /api/v1/namespaces/default/pods/web-0                                              | delete           | delete           | -                            | v1       | default   | pods                  | -           | web-0
            DELETE   | /api/v1/namespaces/default/pods?labelSelector=app%3Dweb                            | deletecollection | deletecollection | -                            | v1       | default   | pods                  | -           | -
            # the connect subresources, named as actions
            POST     | /api/v1/namespaces/default/pods/web-0/exec?command=sh&container=app&stdin=true&stdout=true&tty=true | exec | create | -                    | v1       | default   | pods                  | exec        | web-0
            GET      | /api/v1/namespaces/default/pods/web-0/exec?command=ls&command=-la&container=app&stderr=true&stdout=true | exec | get | -                   | v1       | default   | pods                  | exec        | web-0
            POST     | /api/v1/namespaces/default/pods/web-0/attach?container=app&stdin=true&stdout=true&tty=true | attach | create    | -                            | v1       | default   | pods                  | attach      | web-0
            POST     | /api/v1/namespaces/default/pods/web-0/portforward                                  | portforward      | create           | -                            | v1       | default   | pods                  | portforward | web-0
            GET      | /api/v1/namespaces/default/services/https:web:443/proxy/healthz                    | proxy            | get              | -                            | v1       | default   | services              | proxy       | https:web:443
            GET      | /api/v1/proxy/namespaces/default/pods/web-0/metrics                                | proxy            | proxy            | -                            | v1       | default   | pods                  | -           | web-0
            # edge cases of the API server's own rules
            GET      | /api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb-0&limit=many     | list             | list             | -                            | v1       | default   | pods                  | -           | -
            GET      | /api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Da%2Fb                | list             | list             | -                            | v1       | default   | pods                  | -           | -
            GET      | /api/v1/namespaces/default/pods?fieldSelector=metadata.name!%3Dweb-0               | list             | list             | -                            | v1       | default   | pods                  | -           | -
            GET      | /api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning%2Cmetadata.name%3D%3Dweb-0 | list | list        | -                            | v1       | default   | pods                  | -           | web-0
            GET      | /api/v1/namespaces/team%2Fa/pods                                                   | get              | get              | -                            | v1       | team      | a                     | -           | pods
            BREW     | /api/v1/namespaces/default/pods/web-0                                              | -                | -                | -                            | v1       | default   | pods                  | -           | web-0
            GET      | /api/v1/watch                                                                      | get              | get              | -                            | v1       | -         | -                     | -           | -
            """)
    void matchesTheApiServersRequestInfo(String method, String url, String action, String verb, String group,
                                         String version, String namespace, String resource, String subresource,
                                         String name) {
        KubernetesRequestInfo info = of(method, url);
        assertThat(info.resourceRequest()).as("a resource request").isEqualTo(!version.equals("-"));
        assertThat(List.of(info.action(), info.verb(), info.apiGroup(), info.apiVersion(), info.namespace(),
                info.resource(), info.subresource(), info.name()))
                .containsExactly(empty(action), empty(verb), empty(group), empty(version), empty(namespace),
                        empty(resource), empty(subresource), empty(name));
    }

    @Test
    void execCarriesEveryCommandWordTheContainerAndWhetherTtyAndStdinAreWanted() {
        assertThat(of("POST", "/api/v1/namespaces/prod/pods/payments-7f9/exec?command=sh&command=-i&container=app&stdin=true&stdout=true&tty=true").session())
                .contains(new Session("app", List.of("sh", "-i"), true, true));
        assertThat(of("GET", "/api/v1/namespaces/prod/pods/payments-7f9/exec?command=sh&command=-c&command=echo+hi%20there%3B+id&stdout=true&stderr=true").session())
                .contains(new Session("", List.of("sh", "-c", "echo hi there; id"), false, false));
        assertThat(of("POST", "/api/v1/namespaces/prod/pods/payments-7f9/exec?command=%2Fbin%2Fbash&command=-il&container=db&stdin=1&tty=0").session())
                .contains(new Session("db", List.of("/bin/bash", "-il"), false, true));
        assertThat(of("POST", "/api/v1/namespaces/prod/pods/payments-7f9/exec?command=tar&command=cf&command=-&command=%2Fdata&stdout=true").session())
                .contains(new Session("", List.of("tar", "cf", "-", "/data"), false, false));
        assertThat(of("POST", "/api/v1/namespaces/prod/pods/payments-7f9/exec").session())
                .contains(new Session("", List.of(), false, false));
    }

    @Test
    void attachCarriesContainerTtyAndStdin() {
        assertThat(of("POST", "/api/v1/namespaces/prod/pods/payments-7f9/attach?container=app&stdin=true&stdout=true&tty=").session())
                .as("an empty value is true, as the API server converts it")
                .contains(new Session("app", List.of(), true, true));
    }

    @Test
    void portForwardCarriesThePortsItsQueryNames() {
        assertThat(of("GET", "/api/v1/namespaces/prod/pods/payments-7f9/portforward?ports=8080%2C9090&ports=5432").ports())
                .containsExactly("8080", "9090", "5432");
        assertThat(of("POST", "/api/v1/namespaces/prod/pods/payments-7f9/portforward").ports()).isEmpty();
    }

    @Test
    void otherRequestsCarryNoSessionOrPorts() {
        KubernetesRequestInfo logs = of("GET", "/api/v1/namespaces/prod/pods/payments-7f9/log?container=app");
        assertThat(logs.session()).isEmpty();
        assertThat(logs.ports()).isEmpty();
        assertThat(of("POST", "/api/v1/namespaces/prod/services/web/exec?command=sh").session())
                .as("only pods have exec").isEmpty();
    }

    private static KubernetesRequestInfo of(String method, String url) {
        int question = url.indexOf('?');
        return question < 0
                ? KubernetesRequestInfo.of(method, url, null)
                : KubernetesRequestInfo.of(method, url.substring(0, question), url.substring(question + 1));
    }

    private static String empty(String cell) {
        return cell.equals("-") ? "" : cell;
    }
}
