package com.twingate.gateway.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.twingate.gateway.logging.GatewayLogEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** What loggers write, each line as the gateway's own encoder makes it (its newline included), for tests that read lines. */
public final class EncodedLogLines implements AutoCloseable {

    private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final GatewayLogEncoder encoder = new GatewayLogEncoder();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
    };

    public EncodedLogLines() {
        encoder.setContext(logging);
        encoder.start();
        appender.setContext(logging);
        appender.start();
    }

    /** The logger named {@code name}, whose lines are captured from now on. */
    public Logger attach(String name) {
        Logger logger = logging.getLogger(name);
        logger.addAppender(appender);
        return logger;
    }

    public GatewayLogEncoder encoder() {
        return encoder;
    }

    public List<String> lines() {
        return lines;
    }

    @Override
    public void close() {
        logging.getLoggerList().forEach(logger -> logger.detachAppender(appender));
        appender.stop();
    }
}
