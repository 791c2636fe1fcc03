package com.twingate.gateway;

import com.google.inject.Guice;
import com.twingate.gateway.config.ConfigException;
import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.extract.RecordingsCommand;
import com.twingate.gateway.server.GatewayApplication;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Command line: parse arguments, load configuration, build the injector once, run until SIGTERM. */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE_OR_CONFIG = 2;

    private static final String USAGE = """
            Usage: java -jar kubernetes-access-gateway.jar [--config FILE]
                   java -jar kubernetes-access-gateway.jar --help | --version
                   java -jar kubernetes-access-gateway.jar recordings extract --help

            Runs the Kubernetes access gateway. Configuration is HOCON: built-in defaults, then FILE,
            then environment variables (TWINGATE_NETWORK, TWINGATE_HOST, ...). See README.md.

              --config FILE   configuration file (HOCON)
              --help          print this help
              --version       print the version
            """;

    private Main() {}

    public static void main(String[] args) {
        // Exit explicitly: after the drain nothing the gateway started may keep the JVM alive.
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Runs the gateway (blocking until it stops) or answers the command line; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length > 0 && args[0].equals("recordings")) {
            return RecordingsCommand.run(List.of(args).subList(1, args.length), out, err, System.in, Clock.systemUTC());
        }
        Optional<Path> configFile = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return EXIT_OK;
                }
                case "--version" -> {
                    out.println("kubernetes-access-gateway " + version());
                    return EXIT_OK;
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file name");
                        err.print(USAGE);
                        return EXIT_USAGE_OR_CONFIG;
                    }
                    configFile = Optional.of(Path.of(args[++i]));
                }
                default -> {
                    err.println("unknown argument: " + args[i]);
                    err.print(USAGE);
                    return EXIT_USAGE_OR_CONFIG;
                }
            }
        }

        GatewayConfig config;
        try {
            config = ConfigLoader.load(configFile, env);
        } catch (ConfigException invalid) {
            invalid.problems().forEach(err::println);
            return EXIT_USAGE_OR_CONFIG;
        }
        return serve(config);
    }

    private static int serve(GatewayConfig config) {
        Logger log = LoggerFactory.getLogger(Main.class);
        long startedNanos = System.nanoTime();
        GatewayApplication application = Guice.createInjector(new GatewayModule(config))
                .getInstance(GatewayApplication.class);
        // SIGTERM is how Kubernetes stops a pod: drain and exit 0, rather than the JVM's 143. Installed
        // before starting, so a SIGTERM during start-up drains too.
        Runnable drain = () -> {
            log.info("stopping: no new connections; requests and streams get up to {} to finish", config.shutdownTimeout());
            stopQuietly(application, log);
        };
        Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().start(drain));
        Signal.handle(new Signal("INT"), signal -> Thread.ofPlatform().start(drain));
        try {
            application.start();
        } catch (Exception e) {
            log.error("the gateway could not start: {}", e.getMessage(), e);
            stopQuietly(application, log);
            return EXIT_FAILED;
        }
        log.info("gateway started in {} ms: version {}, gateway port {}, metrics port {}",
                (System.nanoTime() - startedNanos) / 1_000_000, version(), application.gatewayPort(),
                application.metricsPort());
        try {
            application.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("gateway stopped");
        return EXIT_OK;
    }

    private static void stopQuietly(GatewayApplication application, Logger log) {
        try {
            application.stop();
        } catch (Exception e) {
            log.error("stopping the gateway failed", e);
        }
    }

    static String version() {
        return GatewayVersion.current();
    }
}
