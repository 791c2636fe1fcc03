package com.twingate.gateway.testkit;

import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The local run [§10], started by {@code scripts/local-run.sh}: the controller and client stand-ins, the
 * gateway (the production Guice module, configured from HOCON) and an upstream — the Kubernetes API
 * stand-in, or the real cluster of {@code --kubeconfig FILE}. Prints the kubeconfig to use, then the
 * gateway's own log lines (audit, recordings) until Ctrl-C.
 */
public final class LocalRun {

    private LocalRun() {}

    public static void main(String[] args) throws Exception {
        Path upstreamKubeconfig = null;
        Path directory = Path.of("target/local-run").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kubeconfig" -> upstreamKubeconfig = Path.of(requireValue(args, ++i)).toAbsolutePath();
                case "--dir" -> directory = Path.of(requireValue(args, ++i)).toAbsolutePath();
                default -> usage("unknown argument: " + args[i]);
            }
        }
        Files.createDirectories(directory);
        Path recordings = Files.createDirectories(directory.resolve("recordings"));
        KubeApiStandIn standIn = null;
        String upstream;
        if (upstreamKubeconfig == null) {
            TestPki apiPki = TestPki.create("kube-api", directory);
            String token = UUID.randomUUID().toString();
            standIn = KubeApiStandIn.start(apiPki.issue("kube-api"), token, Files.createDirectories(directory.resolve("pods")));
            standIn.cluster().addPod("default", "web");
            upstream = GatewayHarness.upstream("stand-in", standIn.address(), apiPki.caFile(), "bearerToken = \"" + token + "\"");
        } else {
            try {
                upstream = KubeconfigUpstream.hocon("cluster", upstreamKubeconfig, directory);
            } catch (IllegalArgumentException e) {
                usage(e.getMessage());
                return;
            }
        }
        GatewayHarness harness = GatewayHarness.start(directory, upstream,
                "recording.directory = \"" + recordings + "\"\nlog.format = text");
        Path kubeconfig = directory.resolve("kubeconfig");
        Files.writeString(kubeconfig, Kubectl.kubeconfig(harness.uri("").toString(), harness.pki().caFile(), null));

        KubeApiStandIn apiToClose = standIn;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("Stopping the local run");
            closeQuietly(harness);
            closeQuietly(apiToClose);
            stopped.countDown();
        }));
        System.err.printf("""

                The gateway is up (%s), behind the Twingate client stand-in on 127.0.0.1:%d.
                Upstream: %s
                Your user, from the token: alice@example.com, group developers.

                  export KUBECONFIG=%s
                  kubectl auth whoami
                  kubectl get pods
                  kubectl exec -it web -- sh

                Audit lines and session recordings follow on stdout; .cast files go to %s
                Ctrl-C stops everything.

                """, harness.gatewayAddress(), harness.client().localPort(),
                standIn == null ? "the cluster of " + upstreamKubeconfig : "the Kubernetes API stand-in at " + standIn.address()
                        + " (pod default/web; pods run in " + directory.resolve("pods") + ")",
                kubeconfig, recordings);
        stopped.await();
    }

    private static String requireValue(String[] args, int index) {
        if (index >= args.length) {
            usage(args[index - 1] + " needs a value");
        }
        return args[index];
    }

    private static void usage(String problem) {
        System.err.println("local-run: " + problem);
        System.err.println("usage: scripts/local-run.sh [--kubeconfig FILE] [--dir DIRECTORY]");
        System.exit(2);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("stopping: " + e);
        }
    }
}
