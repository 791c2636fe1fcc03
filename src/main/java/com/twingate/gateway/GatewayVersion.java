package com.twingate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The gateway's version, from the build ({@code gateway-version.properties}): for --version and every log line. */
public final class GatewayVersion {

    private static final String VERSION = read();

    private GatewayVersion() {}

    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = GatewayVersion.class.getResourceAsStream("/gateway-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
