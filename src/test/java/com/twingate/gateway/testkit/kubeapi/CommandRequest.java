package com.twingate.gateway.testkit.kubeapi;

import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** What an exec or attach asked for in its query: {@code command=…&stdin=true&stdout=true&stderr=true&tty=true&container=…}. */
record CommandRequest(List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty, String container) {

    static CommandRequest of(Request request) {
        Fields query = Request.extractQueryParameters(request);
        List<String> command = query.getValues("command");
        return new CommandRequest(command == null ? List.of() : List.copyOf(command), flag(query, "stdin"),
                flag(query, "stdout"), flag(query, "stderr"), flag(query, "tty"), query.getValue("container"));
    }

    private static boolean flag(Fields query, String name) {
        return Exchanges.isTrue(query.getValue(name));
    }

    /** kubectl opens no stderr stream with a terminal: the terminal merges it into stdout. */
    boolean stderrStream() {
        return stderr && !tty;
    }
}
