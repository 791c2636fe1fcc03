package com.twingate.gateway.testkit.kubeapi;

import com.twingate.gateway.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where a pod's commands run. With bubblewrap ({@code bwrap}, Debian's {@code bubblewrap}) a command
 * runs with the pod's directory as its {@code /}, the host's {@code /usr}, {@code /bin}, {@code /lib}
 * and {@code /etc} read-only, its own {@code /dev}, and its own IPC and host-name namespaces — so {@code echo hi > /tmp/x} writes the pod's {@code /tmp}, as in a container. It shares
 * the host's network (port-forward dials 127.0.0.1) and runs as the user who started the stand-in.
 * Without a working bwrap, commands run on the host in the pod's directory with only their absolute
 * path arguments mapped into it ({@link SandboxCommand}): no isolation at all.
 */
public final class PodSandbox {

    private static final List<String> PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
    private static final List<String> ROOT_DIRECTORIES = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private PodSandbox() {}

    /** True when commands are contained by bubblewrap; false when they run on the host. */
    public static boolean isolated() {
        return Bubblewrap.EXECUTABLE.isPresent();
    }

    /** One sentence for the local run's banner and the README's promise. */
    public static String describe() {
        return isolated()
                ? "pod commands run in a bubblewrap sandbox: the pod directory is their /, the host's /usr and /etc are read-only, network shared"
                : "bubblewrap (bwrap) is not available: pod commands run on this machine as you, in the pod directory, with no isolation";
    }

    /**
     * {@code command} as the pod runs it; an IOException when its program does not exist in the pod, as
     * the container runtime refuses it before anything runs.
     */
    static List<String> command(Cluster.Pod pod, List<String> command) throws IOException {
        Optional<Path> bwrap = Bubblewrap.EXECUTABLE;
        if (bwrap.isEmpty()) {
            return SandboxCommand.map(command, pod.sandbox());
        }
        if (!command.isEmpty() && findProgram(pod, command.getFirst()).isEmpty()) {
            throw new IOException("exec: \"" + command.getFirst() + "\": executable file not found in $PATH");
        }
        List<String> wrapped = new ArrayList<>(List.of(bwrap.get().toString(),
                "--bind", pod.sandbox().toString(), "/",
                "--ro-bind", "/usr", "/usr",
                "--ro-bind", "/etc", "/etc"));
        for (String name : ROOT_DIRECTORIES) {
            Path host = Path.of("/", name);
            try {
                if (Files.isSymbolicLink(host)) {
                    // The pod's directory keeps the link from its first command; making it again would fail.
                    if (Files.isSymbolicLink(pod.sandbox().resolve(name))) {
                        continue;
                    }
                    wrapped.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(), host.toString()));
                } else if (Files.isDirectory(host)) {
                    wrapped.addAll(List.of("--ro-bind", host.toString(), host.toString()));
                }
            } catch (IOException unreadable) {
                // A root directory the host does not have (or hides) is one the pod does without.
            }
        }
        wrapped.addAll(List.of("--proc", "/proc", "--dev", "/dev",
                // No PID namespace: an interactive shell in one cannot take its terminal's process group.
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", pod.name(),
                "--setenv", "HOME", "/", "--setenv", "HOSTNAME", pod.name(), "--setenv", "PATH", String.join(":", PATH),
                "--die-with-parent", "--chdir", "/", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The program as the pod's {@code PATH} finds it: the host's system directories, or a path in the pod. */
    private static Optional<Path> findProgram(Cluster.Pod pod, String program) {
        if (program.contains("/")) {
            Path inPod = pod.sandbox().resolve(program.replaceFirst("^/+", ""));
            Path onHost = Path.of("/").resolve(program);
            return Stream.of(inPod, onHost).filter(Files::isExecutable).findFirst();
        }
        return PATH.stream().map(directory -> Path.of(directory, program)).filter(Files::isExecutable).findFirst();
    }

    /** Whether bwrap is installed and allowed to make namespaces here (some containers forbid it): asked once. */
    private static final class Bubblewrap {
        static final Optional<Path> EXECUTABLE = Tools.binary("bwrap").filter(Bubblewrap::works);

        private static boolean works(Path bwrap) {
            try {
                Process probe = new ProcessBuilder(bwrap.toString(), "--ro-bind", "/", "/", "--unshare-uts", "--", "true")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                    probe.destroyForcibly();
                    return false;
                }
                return probe.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
