package com.twingate.gateway.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process on a pseudo-terminal, for {@code tty=true}. The JDK cannot open one, so a few lines of
 * Python (python3 is on every machine this runs on; no native library to ship) open the pair, start
 * the command as a session leader on the terminal, and copy bytes between their own stdin/stdout and
 * the terminal's master side. They print the terminal's name first, on stderr: resizing is
 * {@code stty -F <name> rows H cols W}, whose TIOCSWINSZ makes the kernel send the command SIGWINCH.
 */
public final class PtyProcess {

    private static final Logger LOG = LoggerFactory.getLogger(PtyProcess.class);

    private static final String HELPER = """
            import fcntl, os, select, signal, struct, sys, termios
            # Ctrl-C in the terminal that started the JVM reaches this helper too: the JVM ends it, quietly.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", int(sys.argv[1]), int(sys.argv[2]), 0, 0))
            del sys.argv[1:3]
            os.write(2, (os.ttyname(slave) + "\\n").encode())
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.close(master)
                if slave > 2:
                    os.close(slave)
                try:
                    os.execvp(sys.argv[1], sys.argv[1:])
                except OSError as e:
                    os.write(2, ("exec %s: %s\\r\\n" % (sys.argv[1], e.strerror)).encode())
                    os._exit(127)
            os.close(slave)
            stdin_open = True
            def relay():
                global stdin_open
                while True:
                    ready = select.select([master] + ([0] if stdin_open else []), [], [])[0]
                    if 0 in ready:
                        data = os.read(0, 65536)
                        if data:
                            while data:
                                data = data[os.write(master, data):]
                        else:
                            stdin_open = False
                            os.write(master, b"\\x04")
                    if master in ready:
                        try:
                            data = os.read(master, 65536)
                        except OSError:
                            data = b""
                        if not data:
                            break
                        while data:
                            data = data[os.write(1, data):]
            try:
                relay()
            except OSError:
                os.close(master)  # the JVM closed its end: hang up, which ends the command
            status = os.waitpid(pid, 0)[1]
            code = os.waitstatus_to_exitcode(status)
            sys.exit(code if code >= 0 else 128 - code)
            """;

    private final Process process;
    private final String terminal;

    private PtyProcess(Process process, String terminal) {
        this.process = process;
        this.terminal = terminal;
    }

    /**
     * Starts {@code command} (with its directory and environment) on a new terminal of {@code rows} ×
     * {@code cols}; the process's stdout carries everything the command shows.
     */
    public static PtyProcess start(ProcessBuilder command, int rows, int cols) throws IOException {
        List<String> helper = new ArrayList<>(List.of("python3", "-c", HELPER, String.valueOf(rows), String.valueOf(cols)));
        helper.addAll(command.command());
        ProcessBuilder builder = new ProcessBuilder(helper).directory(command.directory());
        builder.environment().clear();
        builder.environment().putAll(command.environment());
        builder.environment().put("TERM", "xterm");
        Process process = builder.start();
        BufferedReader errors = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String terminal = errors.readLine();
        if (terminal == null || !terminal.startsWith("/dev/")) {
            process.destroyForcibly();
            throw new IOException("the pseudo-terminal helper did not start: " + terminal);
        }
        // Only the helper's own failures come here later; the command's stderr is the terminal.
        Thread.ofVirtual().start(() -> errors.lines().forEach(line -> LOG.warn("pseudo-terminal helper: {}", line)));
        return new PtyProcess(process, terminal);
    }

    public Process process() {
        return process;
    }

    /** Resizes the terminal; the kernel sends the command SIGWINCH. */
    public void resize(int rows, int cols) {
        try {
            Process stty = new ProcessBuilder("stty", "-F", terminal, "rows", String.valueOf(rows), "cols",
                    String.valueOf(cols)).redirectErrorStream(true).start();
            if (!stty.waitFor(10, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.debug("resizing {} failed, its process has probably ended: {}", terminal, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
