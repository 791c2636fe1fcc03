package com.twingate.gateway.testkit.kubeapi;

import com.twingate.gateway.testkit.PtyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an exec's command as a real process in the pod's sandbox and wires it to the client's channels:
 * stdin in, stdout and stderr out (a terminal merges them), resizes to the terminal, and the exit code
 * back on the error channel once all output has been sent. A client that goes away kills the command.
 */
final class Exec {

    private static final Logger LOG = LoggerFactory.getLogger(Exec.class);

    private Exec() {}

    static void run(Cluster.Pod pod, CommandRequest request, CommandChannels channels) {
        CommandResult result;
        try {
            result = CommandResult.exited(execute(pod, request, channels));
        } catch (IOException e) {
            result = CommandResult.failed("failed to exec in container: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = CommandResult.failed("the API server stand-in is stopping");
        }
        try {
            channels.finish(result);
        } catch (IOException e) {
            LOG.debug("exec status not delivered, the client is gone: {}", e.toString());
        }
    }

    private static int execute(Cluster.Pod pod, CommandRequest request, CommandChannels channels)
            throws IOException, InterruptedException {
        if (request.command().isEmpty()) {
            throw new IOException("you must specify at least one command for the container");
        }
        List<String> command = PodSandbox.command(pod, request.command());
        Process process;
        if (request.tty()) {
            PtyProcess terminal = PtyProcess.start(new ProcessBuilder(command).directory(pod.sandbox().toFile()),
                    TerminalSizes.DEFAULT_ROWS, TerminalSizes.DEFAULT_COLS);
            channels.sizes().follow(size -> terminal.resize(size.height(), size.width()));
            process = terminal.process();
        } else {
            process = new ProcessBuilder(command).directory(pod.sandbox().toFile()).start();
        }
        Thread input = Thread.ofVirtual().name("exec-stdin").start(() -> copyAndClose(channels.stdin(), process.getOutputStream()));
        CompletableFuture<Void> stdout = pump(process.getInputStream(), channels.stdout());
        CompletableFuture<Void> stderr = pump(process.getErrorStream(), channels.stderr());
        try {
            while (!process.waitFor(100, TimeUnit.MILLISECONDS)) {
                if (channels.clientGone()) {
                    throw new IOException("the client went away");
                }
            }
            CompletableFuture.allOf(stdout, stderr).join();
            return process.exitValue();
        } finally {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            input.interrupt();
        }
    }

    /**
     * Flushes every chunk (the JDK buffers a process's stdin, and a shell waits for each line); closes
     * {@code from} too: once the command is done, later stdin is dropped, not queued.
     */
    private static void copyAndClose(InputStream from, OutputStream to) {
        byte[] buffer = new byte[32 * 1024];
        try (from; to) {
            for (int read = from.read(buffer); read >= 0; read = from.read(buffer)) {
                to.write(buffer, 0, read);
                to.flush();
            }
        } catch (IOException e) {
            LOG.debug("stdin copy ended: {}", e.toString());
        }
    }

    /** Copies until the process closes its end; a client that stops reading stops the process (back-pressure). */
    private static CompletableFuture<Void> pump(InputStream from, OutputStream to) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("exec-output").start(() -> {
            byte[] buffer = new byte[32 * 1024];
            try (from) {
                for (int read = from.read(buffer); read >= 0; read = from.read(buffer)) {
                    to.write(buffer, 0, read);
                }
            } catch (IOException e) {
                LOG.debug("output copy ended: {}", e.toString());
            } finally {
                done.complete(null);
            }
        });
        return done;
    }
}
