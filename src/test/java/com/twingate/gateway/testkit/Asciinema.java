package com.twingate.gateway.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real asciinema player (Debian package {@code asciinema}): {@link #cat} is what a user sees when
 * replaying a recording, the check that a file is asciicast v2 it understands.
 */
public final class Asciinema {

    private Asciinema() {}

    /**
     * The output {@code asciinema cat} writes for a recording. It insists on a terminal ({@code /dev/tty}),
     * so it runs under {@code script}'s pseudo-terminal with output post-processing off, which keeps the
     * bytes as asciinema wrote them.
     */
    public static byte[] cat(Path recording) throws IOException, InterruptedException {
        Path asciinema = Tools.requireBinary("asciinema", "asciinema");
        Process process = new ProcessBuilder("script", "-qec",
                "stty -opost -echo; exec " + asciinema + " cat '" + recording + "'", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("asciinema cat " + recording + " did not end within 30 s");
        }
        if (process.exitValue() != 0) {
            String shown = new String(output, java.nio.charset.StandardCharsets.UTF_8);
            throw new AssertionError("asciinema cat " + recording + " exited with " + process.exitValue() + "; it said: "
                    + shown.substring(Math.max(0, shown.length() - 2000)));
        }
        return output;
    }
}
