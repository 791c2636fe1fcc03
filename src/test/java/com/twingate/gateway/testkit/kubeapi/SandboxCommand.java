package com.twingate.gateway.testkit.kubeapi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command as a pod would run it, rewritten so that the pod's {@code /} is its sandbox directory:
 * arguments that are absolute paths get the sandbox in front (the program, argv[0], stays the host's).
 * {@code tar} is special, because kubectl cp reads member names: {@code tar cf - /tmp/f} becomes
 * {@code tar cf - -C <sandbox> tmp/f}, so the archive holds {@code tmp/f} just as a container's tar
 * (which strips the leading slash) would write it.
 */
final class SandboxCommand {

    private SandboxCommand() {}

    static List<String> map(List<String> command, Path sandbox) {
        if (command.isEmpty()) {
            return command;
        }
        List<String> mapped = new ArrayList<>();
        mapped.add(command.getFirst());
        boolean tar = Path.of(command.getFirst()).getFileName().toString().equals("tar");
        for (int i = 1; i < command.size(); i++) {
            String argument = command.get(i);
            boolean directoryOption = command.get(i - 1).equals("-C") || command.get(i - 1).equals("--directory");
            if (!argument.startsWith("/")) {
                mapped.add(argument);
            } else if (!tar || directoryOption) {
                mapped.add(inside(sandbox, argument));
            } else {
                String member = relative(argument);
                mapped.addAll(List.of("-C", sandbox.toString(), member.isEmpty() ? "." : member));
            }
        }
        return mapped;
    }

    private static String inside(Path sandbox, String absolute) {
        return sandbox.resolve(relative(absolute)).toString();
    }

    private static String relative(String absolute) {
        return absolute.replaceFirst("^/+", "");
    }
}
