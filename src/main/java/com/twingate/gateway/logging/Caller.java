package com.twingate.gateway.logging;

import java.util.Optional;

/**
 * The {@code caller} of a line as zap's short caller writes it: the last package segment, the file and
 * the line ({@code audit/AuditLog.java:74}). Found on the logging thread's stack, which still holds the
 * call while the (synchronous) appender encodes; {@link StackWalker} reads only the few top frames.
 */
final class Caller {

    private static final StackWalker STACK = StackWalker.getInstance();
    private static final String LOGBACK_LOGGER = "ch.qos.logback.classic.Logger";

    private Caller() {}

    static Optional<String> ofCurrentLogCall() {
        return STACK.walk(frames -> {
            boolean[] inLogger = {false};
            return frames.dropWhile(frame -> {
                boolean framework = isFramework(frame.getClassName());
                inLogger[0] |= frame.getClassName().equals(LOGBACK_LOGGER);
                return !inLogger[0] || framework;
            }).findFirst().map(Caller::format);
        });
    }

    private static boolean isFramework(String className) {
        return className.startsWith("ch.qos.logback.") || className.startsWith("org.slf4j.");
    }

    private static String format(StackWalker.StackFrame frame) {
        String className = frame.getClassName();
        int lastDot = className.lastIndexOf('.');
        String packageName = lastDot < 0 ? "" : className.substring(0, lastDot);
        String segment = packageName.substring(packageName.lastIndexOf('.') + 1);
        String file = frame.getFileName() == null ? className.substring(lastDot + 1) : frame.getFileName();
        return (segment.isEmpty() ? "" : segment + "/") + file + ":" + frame.getLineNumber();
    }
}
