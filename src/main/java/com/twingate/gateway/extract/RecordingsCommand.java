package com.twingate.gateway.extract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code recordings extract}: the playable {@code .cast} file of every session recorded in gateway log
 * files, joined from its parts by {@code request_id} and {@code asciicast_sequence_num} — the same file
 * the {@code .cast} sink ({@code recording.directory}) writes — and a report of sessions with parts missing.
 */
public final class RecordingsCommand {

    public static final String USAGE = """
            Usage: java -jar kubernetes-access-gateway.jar recordings extract [--since WHEN] [--user NAME]
                       [--out DIRECTORY] LOGFILE...

            Writes one playable asciicast file per recorded session found in the gateway's log files
            (JSON or text lines, in any order, other lines skipped; - reads stdin), named
            <namespace>_<pod>_<request_id>.cast, and names the sessions whose parts are missing.

              --since WHEN      sessions started at or after WHEN: 2026-11-24T10:00:00Z, 2026-11-24, or 90m, 2h, 7d ago
              --user NAME       sessions of this username only
              --out DIRECTORY   where the files go (default: the current directory)

            Exit code: 0 every session complete, 1 some session has parts missing (its file is written
            with what there is), 2 bad arguments or unreadable input.
            """;

    public static final int EXIT_OK = 0;
    public static final int EXIT_INCOMPLETE = 1;
    public static final int EXIT_USAGE = 2;
    private static final Pattern RELATIVE = Pattern.compile("(\\d+)([smhd])");

    private RecordingsCommand() {}

    /** @param args what follows {@code recordings} on the command line */
    public static int run(List<String> args, PrintStream out, PrintStream err, InputStream stdin, Clock clock) {
        if (args.isEmpty() || !args.getFirst().equals("extract")) {
            return usage(err, args.isEmpty() ? "recordings needs a command: extract" : "unknown recordings command: " + args.getFirst());
        }
        Optional<Instant> since = Optional.empty();
        Optional<String> user = Optional.empty();
        Path directory = Path.of(".");
        List<String> logFiles = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return EXIT_OK;
                }
                case "--since", "--user", "--out" -> {
                    if (i + 1 >= args.size()) {
                        return usage(err, arg + " needs a value");
                    }
                    String value = args.get(++i);
                    switch (arg) {
                        case "--since" -> {
                            since = when(value, clock);
                            if (since.isEmpty()) {
                                return usage(err, "--since: not a time (2026-11-24T10:00:00Z, 2026-11-24) or an age (90m, 2h, 7d): " + value);
                            }
                        }
                        case "--user" -> user = Optional.of(value);
                        default -> {
                            try {
                                directory = Path.of(value);
                            } catch (InvalidPathException e) {
                                return usage(err, "--out: not a directory name: " + value);
                            }
                        }
                    }
                }
                default -> {
                    if (arg.startsWith("--")) {
                        return usage(err, "unknown option: " + arg);
                    }
                    logFiles.add(arg);
                }
            }
        }
        if (logFiles.isEmpty()) {
            return usage(err, "name at least one log file (- for stdin)");
        }

        Map<String, RecordedSession> sessions = new LinkedHashMap<>();
        for (String logFile : logFiles) {
            try {
                read(logFile, stdin, sessions);
            } catch (IOException | InvalidPathException e) {
                err.println("recordings extract: cannot read " + logFile + ": " + e.getMessage());
                return EXIT_USAGE;
            }
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            err.println("recordings extract: cannot create " + directory + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        return write(sessions.values(), since, user, directory, out, err);
    }

    private static int write(Iterable<RecordedSession> sessions, Optional<Instant> since, Optional<String> user, Path directory,
                             PrintStream out, PrintStream err) {
        int written = 0;
        int incomplete = 0;
        for (RecordedSession session : sessions) {
            if (user.isPresent() && !user.get().equals(session.username())
                    || since.isPresent() && session.startedAt().map(started -> started.isBefore(since.get())).orElse(true)) {
                continue;
            }
            Path file = directory.resolve(session.fileName());
            try {
                Files.writeString(file, session.cast(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("recordings extract: cannot write " + file + ": " + e.getMessage());
                return EXIT_USAGE;
            }
            written++;
            List<String> gaps = session.gaps();
            if (gaps.isEmpty()) {
                out.println("wrote " + file + " (" + session.username() + ")");
            } else {
                incomplete++;
                out.println("wrote " + file + " (" + session.username() + "), INCOMPLETE: session " + session.requestId()
                        + " misses " + String.join(", ", gaps));
            }
        }
        out.println(written + " sessions written, " + incomplete + " with parts missing");
        return incomplete == 0 ? EXIT_OK : EXIT_INCOMPLETE;
    }

    private static void read(String logFile, InputStream stdin, Map<String, RecordedSession> sessions) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                logFile.equals("-") ? stdin : Files.newInputStream(Path.of(logFile)),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                LogLineReader.part(line).ifPresent(part ->
                        sessions.computeIfAbsent(part.requestId(), RecordedSession::new).add(part));
            }
        }
    }

    /** An instant, a date (its start, UTC), or an age before now. */
    static Optional<Instant> when(String value, Clock clock) {
        Matcher relative = RELATIVE.matcher(value);
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration age = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return Optional.of(clock.instant().minus(age));
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Optional.of(LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("recordings extract: " + problem);
        err.print(USAGE);
        return EXIT_USAGE;
    }
}
