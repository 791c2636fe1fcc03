package com.twingate.gateway.logging;

/**
 * The {@code logger} of a line, named as Twingate's gateway names its loggers: {@code gateway} and
 * {@code gateway.<part>}. The gateway's own class loggers become their package ({@code gateway.token});
 * loggers already named that way ({@code gateway.audit}) and libraries' loggers keep their names.
 */
final class LoggerNames {

    private static final String OWN_PACKAGE = "com.twingate.gateway.";
    private static final String ROOT = "gateway";

    private LoggerNames() {}

    static String of(String loggerName) {
        if (!loggerName.startsWith(OWN_PACKAGE)) {
            return loggerName;
        }
        String rest = loggerName.substring(OWN_PACKAGE.length());
        int dot = rest.indexOf('.');
        return dot < 0 ? ROOT : ROOT + "." + rest.substring(0, dot);
    }
}
