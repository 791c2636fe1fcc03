package com.twingate.gateway.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The programs some tests drive for real (prometheus, promtool, asciinema, nginx), found on the PATH. */
public final class Tools {

    private Tools() {}

    /** Finds an executable called {@code name} on the {@code PATH}. */
    public static Optional<Path> binary(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * The executable called {@code name}. When it is missing the calling test is skipped with the reason
     * printed, except on CI ({@code CI=true}), where a missing tool is a failure.
     *
     * @param debianPackage the package {@code scripts/test} installs it from
     */
    public static Path requireBinary(String name, String debianPackage) {
        Optional<Path> found = binary(name);
        if (found.isPresent()) {
            return found.get();
        }
        String reason = "'" + name + "' is not on the PATH; install it with: apt-get install -y " + debianPackage;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(reason);
        }
        System.out.println("Skipping: " + reason);
        Assumptions.abort(reason);
        throw new AssertionError("unreachable");
    }
}
