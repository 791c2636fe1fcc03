package com.twingate.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the configuration (docs/configuration.md): {@code reference.conf} defaults, then the {@code --config} file, then
 * environment variables. Relative paths in the file are taken from the working directory.
 */
public final class ConfigLoader {

    /** The environment variables that override single keys: the one table of them. */
    static final Map<String, String> ENVIRONMENT_KEYS = Map.ofEntries(
            Map.entry("TWINGATE_NETWORK", "twingate.network"),
            Map.entry("TWINGATE_HOST", "twingate.host"),
            Map.entry("TWINGATE_JWKS_URL", "twingate.jwksUrl"),
            Map.entry("TWINGATE_ISSUER", "twingate.issuer"),
            Map.entry("GATEWAY_BIND_ADDRESS", "bindAddress"),
            Map.entry("GATEWAY_PORT", "port"),
            Map.entry("GATEWAY_METRICS_PORT", "metricsPort"),
            Map.entry("TLS_CERTIFICATE_FILE", "tls.certificateFile"),
            Map.entry("TLS_PRIVATE_KEY_FILE", "tls.privateKeyFile"),
            Map.entry("RECORDING_DIRECTORY", "recording.directory"),
            Map.entry("GATEWAY_LOG_FORMAT", "log.format"));
    /** Typesafe Config's convention for overriding any key from the environment. */
    static final String FORCE_PREFIX = "CONFIG_FORCE_";

    private ConfigLoader() {}

    public static GatewayConfig load(Optional<Path> configFile, Map<String, String> env) throws ConfigException {
        Config file = ConfigFactory.empty();
        if (configFile.isPresent()) {
            Path path = configFile.get();
            if (!Files.isReadable(path)) {
                throw new ConfigException(List.of("--config: cannot read " + path));
            }
            try {
                file = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF));
            } catch (com.typesafe.config.ConfigException.Parse syntax) {
                // Typesafe's message already starts with "file: line:".
                throw new ConfigException(List.of(syntax.getMessage()));
            }
        }
        return resolve(file, env);
    }

    /** The same, from HOCON text (the chart's rendered ConfigMap, tests). */
    public static GatewayConfig parse(String hocon, Map<String, String> env) throws ConfigException {
        Config text;
        try {
            text = ConfigFactory.parseString(hocon);
        } catch (com.typesafe.config.ConfigException.Parse syntax) {
            throw new ConfigException(List.of("configuration: " + syntax.getMessage()));
        }
        return resolve(text, env);
    }

    private static GatewayConfig resolve(Config file, Map<String, String> env) throws ConfigException {
        Config given = environment(env).withFallback(file);
        Config merged;
        try {
            merged = given.withFallback(ConfigFactory.defaultReference()).resolve();
        } catch (com.typesafe.config.ConfigException.UnresolvedSubstitution unresolved) {
            throw new ConfigException(List.of("configuration: " + unresolved.getMessage()));
        }
        return new ConfigReader(merged, given, env).read();
    }

    private static Config environment(Map<String, String> env) {
        Map<String, Object> overrides = new HashMap<>();
        ENVIRONMENT_KEYS.forEach((variable, key) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                overrides.put(key, value);
            }
        });
        env.forEach((variable, value) -> {
            if (variable.startsWith(FORCE_PREFIX) && variable.length() > FORCE_PREFIX.length()) {
                overrides.put(forcedKey(variable.substring(FORCE_PREFIX.length())), value);
            }
        });
        return ConfigFactory.parseMap(overrides, "environment");
    }

    /** {@code _} is a dot, {@code __} a dash, {@code ___} an underscore (Typesafe Config's rule). */
    static String forcedKey(String encoded) {
        return encoded.replace("___", "\u0000").replace("__", "-").replace('_', '.').replace('\u0000', '_');
    }
}
