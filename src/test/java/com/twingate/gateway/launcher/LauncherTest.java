package com.twingate.gateway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The jar's entry point: loadable by Java 8, a one-line refusal on an older Java, the gateway on 25. */
class LauncherTest {

    private static final Path CLASSES = Path.of("target/classes");

    @Test
    void isCompiledForJava8SoAnOlderJavaCanLoadIt() throws IOException {
        try (InputStream in = Launcher.class.getResourceAsStream("Launcher.class");
             DataInputStream classFile = new DataInputStream(in)) {
            assertThat(classFile.readInt()).isEqualTo(0xCAFEBABE);
            classFile.readUnsignedShort();
            assertThat(classFile.readUnsignedShort()).as("class file major version").isEqualTo(52);
        }
    }

    @Test
    void anOlderJavaIsToldInOneLineWhatItNeeds() throws Exception {
        Path olderJava = olderJava().orElse(null);
        Assumptions.assumeTrue(olderJava != null, "no Java older than 25 under /usr/lib/jvm to try the launcher with");

        Process run = new ProcessBuilder(olderJava.toString(), "-cp", CLASSES.toString(), Launcher.class.getName(), "--version").start();
        String stdout = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(run.waitFor()).isEqualTo(1);
        assertThat(stdout).isEmpty();
        assertThat(stderr.lines().toList()).singleElement().asString()
                .startsWith("kubernetes-access-gateway needs Java 25 or newer; this is Java ");
    }

    @Test
    void java25RunsTheGateway() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process run = new ProcessBuilder(java, "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Launcher.class.getName(), "--version").redirectErrorStream(true).start();

        assertThat(new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("kubernetes-access-gateway ");
        assertThat(run.waitFor()).isZero();
    }

    @Test
    void readsTheJavaVersionsOfEveryScheme() {
        assertThat(List.of("1.8", "11", "17", "25", "26.0.1", "x").stream().map(Launcher::feature)).containsExactly(8, 11, 17, 25, 26, 0);
    }

    private static Optional<Path> olderJava() throws IOException {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(jdk -> jdk.getFileName().toString().matches("(java|temurin)-(8|11|17|21)-.*"))
                    .map(jdk -> jdk.resolve("bin/java")).filter(Files::isExecutable).findFirst();
        }
    }
}
