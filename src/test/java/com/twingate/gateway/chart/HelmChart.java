package com.twingate.gateway.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import com.twingate.gateway.config.ConfigException;
import com.twingate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The chart in {@code chart/}, rendered by the real Helm engine (helm-java) as release {@value #RELEASE}
 * in namespace {@value #NAMESPACE}, with values given as YAML (the way a values file or Twingate's
 * helm-unittest {@code set:} blocks write them) and {@code --set} pairs. Every render whose values the
 * chart accepts also hands its gateway.conf to the gateway's own config loader: a chart that renders a
 * configuration the gateway refuses fails the test that rendered it. A JUnit extension: register it in
 * a static field; each test starts with an empty cluster for {@code lookup}.
 */
final class HelmChart implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    static final String RELEASE = "gw";
    static final String NAMESPACE = "default";
    static final String FULLNAME = RELEASE + "-kubernetes-access-gateway";
    static final Path SOURCE = Path.of("chart");

    private final Path chart = SOURCE;
    private StubKubeApi kubeApi;
    private Path work;
    private int renders;
    /** @Nested classes call beforeAll/afterAll again: only the outermost starts and stops. */
    private int depth;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (depth++ == 0) {
            kubeApi = new StubKubeApi();
            work = Files.createTempDirectory(Path.of("target"), "chart-test-");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        kubeApi.forgetSecrets();
    }

    /** The objects a release in a cluster already has, as {@code lookup} finds them. */
    StubKubeApi cluster() {
        return kubeApi;
    }

    Manifests render(String valuesYaml) {
        return render(valuesYaml, Map.of());
    }

    Manifests render(String valuesYaml, Map<String, Object> sets) {
        TemplateCommand template = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withValuesFile(valuesFile(valuesYaml));
        sets.forEach(template::set);
        Manifests manifests = Manifests.parse(template.call());
        assertTheGatewayAcceptsItsConfiguration(manifests);
        return manifests;
    }

    /** Asserts Helm refuses these values, and returns its message for further assertions. */
    AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String valuesYaml) {
        return assertRefused(valuesYaml, Map.of());
    }

    AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String valuesYaml, Map<String, Object> sets) {
        TemplateCommand template = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withValuesFile(valuesFile(valuesYaml));
        sets.forEach(template::set);
        Throwable refusal = catchThrowable(template::call);
        assertThat(refusal).as("helm template with\n%s", valuesYaml).isNotNull();
        return assertThat(refusal).as("helm template with\n%s", valuesYaml);
    }

    /** What {@code helm install} prints after installing: the chart's NOTES.txt. */
    String notes(String valuesYaml) {
        InstallCommand install = new Helm(chart).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withValuesFile(valuesFile(valuesYaml)).dryRun().clientOnly();
        String output = install.call().getOutput();
        return output.substring(output.indexOf("NOTES:") + "NOTES:".length());
    }

    /** {@code helm lint --strict} with these values merged into the chart's own values.yaml (lint takes no --set). */
    LintResult lint(String valuesYaml) {
        Path copy = work.resolve("lint-" + ++renders);
        copyTree(chart, copy);
        try {
            ObjectNode values = (ObjectNode) Manifests.YAML.readTree(chart.resolve("values.yaml").toFile());
            merge(values, (ObjectNode) Manifests.YAML.readTree(valuesYaml));
            Manifests.YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Helm(copy).lint().strict().call();
    }

    /** Helm's way: maps merge key by key, anything else replaces. */
    private static void merge(ObjectNode into, ObjectNode from) {
        from.properties().forEach(entry -> {
            if (entry.getValue() instanceof ObjectNode map && into.get(entry.getKey()) instanceof ObjectNode existing) {
                merge(existing, map);
            } else {
                into.set(entry.getKey(), entry.getValue());
            }
        });
    }

    private void assertTheGatewayAcceptsItsConfiguration(Manifests manifests) {
        if (manifests.gatewayConfiguration().isEmpty()) {
            return;
        }
        try {
            GatewayConfig config = manifests.loadInGateway(work.resolve("pod-" + ++renders));
            assertThat(config.kubernetes().upstreams()).isNotEmpty();
        } catch (ConfigException e) {
            throw new AssertionError("the gateway refuses the chart's gateway.conf:\n" + String.join("\n", e.problems())
                    + "\n--- gateway.conf ---\n" + manifests.gatewayConfiguration().orElseThrow(), e);
        }
    }

    private Path valuesFile(String valuesYaml) {
        try {
            return Files.writeString(work.resolve("values-" + ++renders + ".yaml"), valuesYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (--depth > 0) {
            return;
        }
        kubeApi.close();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
