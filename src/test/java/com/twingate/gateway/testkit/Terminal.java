package com.twingate.gateway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program on a pseudo-terminal, as a person at a terminal would run it (for {@code kubectl exec -it},
 * {@code attach -it}, and commands that run until interrupted): keystrokes in, the screen's bytes out,
 * and window resizes.
 */
public final class Terminal implements AutoCloseable {

    private final PtyProcess terminal;
    private final Process process;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final OutputStream keyboard;
    private final Thread screenReader;

    private Terminal(PtyProcess terminal) {
        this.terminal = terminal;
        this.process = terminal.process();
        this.keyboard = process.getOutputStream();
        this.screenReader = Thread.ofVirtual().name("terminal-screen").start(this::readScreen);
    }

    /** Starts {@code builder}'s command (with its environment) on a terminal of {@code rows} × {@code cols}. */
    public static Terminal start(ProcessBuilder builder, int rows, int cols) {
        Tools.requireBinary("python3", "python3");
        try {
            return new Terminal(PtyProcess.start(builder, rows, cols));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readScreen() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (screen) {
                    screen.write(buffer, 0, n);
                }
            }
        } catch (IOException ended) {
            // The program ended; what it showed is kept.
        }
    }

    /** Types {@code keys}. */
    public void type(String keys) {
        try {
            keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resizes the window; the program gets SIGWINCH. */
    public void resize(int rows, int cols) {
        terminal.resize(rows, cols);
    }

    /** Everything the program has shown so far. */
    public byte[] screenBytes() {
        synchronized (screen) {
            return screen.toByteArray();
        }
    }

    public String screen() {
        return new String(screenBytes(), StandardCharsets.UTF_8);
    }

    /** Waits until the screen shows {@code text} somewhere after {@code from} characters. */
    public void awaitScreen(String text, int from, Duration deadline) {
        Await.until(() -> "the terminal to show '" + text + "'; it shows: " + screenTail(), deadline,
                () -> screen().indexOf(text, from) >= 0);
    }

    /** Waits until the screen shows a match of {@code pattern} after {@code from} characters, and returns it. */
    public String awaitMatch(Pattern pattern, int from, Duration deadline) {
        String[] found = new String[1];
        Await.until(() -> "the terminal to show " + pattern + " after " + from + " characters; it shows: " + screenTail(), deadline, () -> {
            Matcher matcher = pattern.matcher(screen());
            if (matcher.find(Math.min(from, screen().length()))) {
                found[0] = matcher.group();
                return true;
            }
            return false;
        });
        return found[0];
    }

    private String screenTail() {
        String shown = screen();
        return shown.substring(Math.max(0, shown.length() - 400));
    }

    /** Waits for the program to exit, and for the last of its output, and returns its exit code. */
    public int awaitExit(Duration deadline) {
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    || !screenReader.join(deadline)) {
                throw new AssertionError("the terminal program did not exit within " + deadline + "; screen: " + screenTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
