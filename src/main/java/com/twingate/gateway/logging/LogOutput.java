package com.twingate.gateway.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.twingate.gateway.config.LogFormat;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code log.format} to the gateway's log output (logback.xml's {@code STDOUT} appender). */
public final class LogOutput {

    private LogOutput() {}

    public static void use(LogFormat format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext logging)) {
            return;
        }
        Iterator<Appender<ILoggingEvent>> appenders = logging.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        while (appenders.hasNext()) {
            if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> output
                    && output.getEncoder() instanceof GatewayLogEncoder encoder) {
                encoder.format(format);
            }
        }
    }
}
