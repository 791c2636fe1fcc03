package com.twingate.gateway.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.recording.AsciicastRecorder;
import com.twingate.gateway.recording.CastFileSink;
import com.twingate.gateway.recording.LogRecordingSink;
import com.twingate.gateway.recording.RecordingSink;
import com.twingate.gateway.recording.SessionInfo;
import com.twingate.gateway.testkit.Asciinema;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.token.GatClaims;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recordings extract} against what the gateway's own sinks write: two sessions recorded at the
 * same time, in many small parts, logged by the log sink (JSON and text) and written by the {@code .cast}
 * sink; the files made from the log must be the sink's files, byte for byte.
 */
class RecordingsExtractTest {

    private static final GatClaims.User ALICE = new GatClaims.User("u-1", "alice@example.com", List.of("devs"));
    private static final GatClaims.User BOB = new GatClaims.User("u-2", "bob@example.com", List.of());
    private static final SessionInfo SHELL = new SessionInfo("prod", "payments-7f9", "app", List.of("sh", "-i"), false, ALICE,
            "c-1", "6f1c0b8e-0000-4000-8000-000000000001");
    private static final SessionInfo TOP = new SessionInfo("dev", "web-0", "main", List.of("top"), false, BOB,
            "c-2", "6f1c0b8e-0000-4000-8000-000000000002");

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private Path sinkFiles;
    private final Map<String, String> output = new TreeMap<>();

    @BeforeEach
    void record() throws IOException {
        sinkFiles = Files.createDirectories(dir.resolve("sink"));
        CastFileSink castFiles = new CastFileSink(sinkFiles, 0);
        LogRecordingSink logLines = new LogRecordingSink();
        RecordingSink both = (session, asciicast, sequence, last) -> {
            logLines.part(session, asciicast, sequence, last);
            castFiles.part(session, asciicast, sequence, last);
        };
        AsciicastRecorder shell = new AsciicastRecorder(SHELL, both, Runnable::run, scheduler, Duration.ofHours(1), 120, d -> { });
        AsciicastRecorder top = new AsciicastRecorder(TOP, both, Runnable::run, scheduler, Duration.ofHours(1), 120, d -> { });
        StringBuilder shellOutput = new StringBuilder();
        StringBuilder topOutput = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            String line = "$ echo " + i + "\r\n" + i + "\r\n";
            shell.output(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            shellOutput.append(line);
            String frame = "\u001b[H load " + (i % 7) + " ✓\r\n";
            top.output(ByteBuffer.wrap(frame.getBytes(StandardCharsets.UTF_8)));
            topOutput.append(frame);
        }
        shell.finish();
        top.finish();
        output.put(SHELL.requestId(), shellOutput.toString());
        output.put(TOP.requestId(), topOutput.toString());
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void interleavedSessionsInJsonLogsBecomeTheCastSinksFiles() throws Exception {
        assertThat(parts(SHELL)).as("parts of the shell session").hasSizeGreaterThan(5);
        Path log = write("gateway.log", logs.lines());

        Result result = extract("extract", "--out", dir.resolve("out").toString(), log.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("2 sessions written, 0 with parts missing");
        assertSameFilesAsTheSink(dir.resolve("out"));
    }

    @Test
    void textLogsSplitAcrossFilesInAnyOrderGiveTheSameFiles() throws Exception {
        List<String> lines = new ArrayList<>(logs.textLines());
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            (i % 2 == 0 ? first : second).add(lines.get(i));
        }
        Collections.reverse(second);
        second.addFirst("2026-06-01T10:00:00.000Z\tinfo\tsomething.else\tx/Y.java:1\tnot a recording\t{}");
        second.add("garbage that a log collector added");

        Result result = extract("extract", "--out", dir.resolve("out").toString(),
                write("a.log", first).toString(), write("b.log", second).toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertSameFilesAsTheSink(dir.resolve("out"));
    }

    @Test
    void aMissingPartIsNamedAndTheRestIsStillWritten() throws Exception {
        List<String> withGaps = logs.lines().stream()
                .filter(not(line -> isPart(line, SHELL, 2)))
                .filter(not(line -> isPart(line, TOP, parts(TOP).size())))
                .toList();

        Result result = extract("extract", "--out", dir.resolve("out").toString(), write("gateway.log", withGaps).toString());

        assertThat(result.exitCode()).isEqualTo(RecordingsCommand.EXIT_INCOMPLETE);
        assertThat(result.out())
                .contains("INCOMPLETE: session " + SHELL.requestId() + " misses part 2\n")
                .contains("INCOMPLETE: session " + TOP.requestId() + " misses the last part (after part " + (parts(TOP).size() - 1))
                .contains("2 sessions written, 2 with parts missing");
        String shell = Files.readString(dir.resolve("out").resolve(CastFileSink.fileName("prod", "payments-7f9", SHELL.requestId())));
        assertThat(shell).isEqualTo(Files.readString(sinkFile(SHELL)).replace(events(SHELL, 2), ""));
    }

    @Test
    void sessionsAreChosenByUserAndStartTime() throws Exception {
        Path log = write("gateway.log", logs.lines());
        Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);

        Result bob = extract("extract", "--user", "bob@example.com", "--out", dir.resolve("bob").toString(), log.toString());
        assertThat(bob.out()).contains("1 sessions written");
        try (Stream<Path> files = Files.list(dir.resolve("bob"))) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactly(sinkFile(TOP).getFileName().toString());
        }
        assertThat(run(now, "extract", "--since", "1h", "--out", dir.resolve("recent").toString(), log.toString()).out())
                .contains("2 sessions written");
        assertThat(run(now, "extract", "--since", "2999-01-01", "--out", dir.resolve("future").toString(), log.toString()).out())
                .contains("0 sessions written");
    }

    @Test
    void stdinIsRead() throws Exception {
        byte[] log = String.join("\n", logs.lines()).getBytes(StandardCharsets.UTF_8);
        Result result = run(Clock.systemUTC(), new ByteArrayInputStream(log), "extract", "--out", dir.resolve("out").toString(), "-");

        assertThat(result.exitCode()).isZero();
        assertSameFilesAsTheSink(dir.resolve("out"));
    }

    @Test
    void anExtractedSessionPlaysInAsciinema() throws Exception {
        extract("extract", "--out", dir.resolve("out").toString(), write("gateway.log", logs.lines()).toString());

        Path file = dir.resolve("out").resolve(sinkFile(TOP).getFileName());
        assertThat(new String(Asciinema.cat(file), StandardCharsets.UTF_8)).isEqualTo(output.get(TOP.requestId()));
    }

    @Test
    void badArgumentsAreExitCode2WithTheReason() {
        assertThat(extract()).satisfies(r -> {
            assertThat(r.exitCode()).isEqualTo(RecordingsCommand.EXIT_USAGE);
            assertThat(r.err()).startsWith("recordings extract: recordings needs a command: extract\n");
        });
        assertThat(extract("extract").err()).startsWith("recordings extract: name at least one log file (- for stdin)\n");
        assertThat(extract("extract", "--since", "yesterday", "x.log").err())
                .startsWith("recordings extract: --since: not a time (2026-11-24T10:00:00Z, 2026-11-24) or an age (90m, 2h, 7d): yesterday\n");
        assertThat(extract("extract", "--colour", "x.log").err()).startsWith("recordings extract: unknown option: --colour\n");
        Result missing = extract("extract", dir.resolve("missing.log").toString());
        assertThat(missing.exitCode()).isEqualTo(RecordingsCommand.EXIT_USAGE);
        assertThat(missing.err()).startsWith("recordings extract: cannot read " + dir.resolve("missing.log"));
    }

    private void assertSameFilesAsTheSink(Path extracted) throws IOException {
        for (SessionInfo session : List.of(SHELL, TOP)) {
            Path sink = sinkFile(session);
            assertThat(extracted.resolve(sink.getFileName())).as("the extracted %s", sink.getFileName())
                    .hasContent(Files.readString(sink));
        }
        try (Stream<Path> files = Files.list(extracted)) {
            assertThat(files).hasSize(2);
        }
    }

    private Path sinkFile(SessionInfo session) {
        return new CastFileSink(sinkFiles, 0).fileFor(session);
    }

    private List<JsonNode> parts(SessionInfo session) {
        return logs.json().stream().filter(line -> line.path("request_id").asText().equals(session.requestId())).toList();
    }

    private boolean isPart(String line, SessionInfo session, int sequence) {
        return line.contains("\"request_id\":\"" + session.requestId() + "\"") && line.contains("\"asciicast_sequence_num\":" + sequence + "}");
    }

    /** A part's events with their line end, as they stand in the file. */
    private String events(SessionInfo session, int sequence) {
        return CastFileSink.events(parts(session).get(sequence - 1).path("asciicast").asText()) + "\n";
    }

    private Path write(String name, List<String> lines) {
        try {
            return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> Predicate<T> not(Predicate<T> predicate) {
        return predicate.negate();
    }

    private static Result extract(String... args) {
        return run(Clock.systemUTC(), args);
    }

    private static Result run(Clock clock, String... args) {
        return run(clock, InputStream.nullInputStream(), args);
    }

    private static Result run(Clock clock, InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RecordingsCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), stdin, clock);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {}
}
