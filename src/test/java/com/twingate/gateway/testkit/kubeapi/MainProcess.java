package com.twingate.gateway.testkit.kubeapi;

import com.twingate.gateway.testkit.PtyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's main process, what {@code kubectl attach} connects to: {@code sh} on a terminal in the
 * sandbox (a container with {@code stdin: true, tty: true}), started when first needed and kept running
 * while the pod lives. Attached clients all see its output from the moment they attach and all type
 * into it; detaching leaves it running.
 */
public final class MainProcess {

    private static final Logger LOG = LoggerFactory.getLogger(MainProcess.class);

    private final PtyProcess terminal;
    private final OutputStream input;
    private final Set<OutputStream> attached = new CopyOnWriteArraySet<>();

    private MainProcess(PtyProcess terminal) {
        this.terminal = terminal;
        this.input = terminal.process().getOutputStream();
        Thread.ofVirtual().name("main-process-output").start(this::fanOut);
    }

    static MainProcess start(Cluster.Pod pod) throws IOException {
        return new MainProcess(PtyProcess.start(new ProcessBuilder(PodSandbox.command(pod, List.of("sh"))).directory(pod.sandbox().toFile()), TerminalSizes.DEFAULT_ROWS, TerminalSizes.DEFAULT_COLS));
    }

    /** True while the process has not exited. */
    public boolean isRunning() {
        return terminal.process().isAlive();
    }

    /** How many clients are attached now. */
    public int attachedClients() {
        return attached.size();
    }

    /**
     * Connects {@code channels} until the client detaches (nothing is sent then: it is gone) or the
     * process exits (its exit code is the attach's status).
     */
    void attach(CommandChannels channels) {
        OutputStream out = channels.stdout();
        attached.add(out);
        channels.sizes().follow(size -> terminal.resize(size.height(), size.width()));
        Thread typing = Thread.ofVirtual().name("attach-stdin").start(() -> type(channels.stdin()));
        CompletableFuture<Process> exit = terminal.process().onExit();
        try {
            while (!exit.isDone() && !channels.clientGone()) {
                try {
                    exit.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    // Looked at again together with the client's state.
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            LOG.debug("waiting for the main process failed: {}", e.toString());
        } finally {
            typing.interrupt();
            attached.remove(out);
        }
        if (exit.isDone() && !channels.clientGone()) {
            try {
                channels.finish(CommandResult.exited(terminal.process().exitValue()));
            } catch (IOException e) {
                LOG.debug("attach status not delivered, the client is gone: {}", e.toString());
            }
        }
    }

    private void type(InputStream stdin) {
        byte[] buffer = new byte[8 * 1024];
        try (stdin) {
            for (int read = stdin.read(buffer); read >= 0; read = stdin.read(buffer)) {
                synchronized (input) {
                    input.write(buffer, 0, read);
                    input.flush();
                }
            }
        } catch (IOException e) {
            LOG.debug("attached stdin ended: {}", e.toString());
        }
    }

    private void fanOut() {
        byte[] buffer = new byte[32 * 1024];
        try (InputStream output = terminal.process().getInputStream()) {
            for (int read = output.read(buffer); read >= 0; read = output.read(buffer)) {
                for (OutputStream client : attached) {
                    try {
                        client.write(buffer, 0, read);
                    } catch (IOException gone) {
                        attached.remove(client);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("main process output ended: {}", e.toString());
        }
    }

    void stop() {
        terminal.process().descendants().forEach(ProcessHandle::destroyForcibly);
        terminal.process().destroyForcibly();
    }
}
