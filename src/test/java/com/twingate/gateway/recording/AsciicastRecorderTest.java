package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.relay.RelayTap;
import com.twingate.gateway.testkit.Await;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Parts, flushing and the TTY size rule of one recorded session (docs/recording.md). */
class AsciicastRecorderTest {

    private static final long SMALL_THRESHOLD = 300;

    /**
     * Random text, multi-byte characters included, as stdout and stderr messages relayed in reads that
     * cut frames and characters anywhere: the "o" events of all parts, in order, are exactly that text.
     */
    @RepeatedTest(5)
    void nothingIsLostOrRecordedTwiceAcrossManySmallParts() {
        Random random = new Random();
        StringBuilder sent = new StringBuilder();
        Frames.WebSocket fromServer = new Frames.WebSocket(false);
        for (int message = 0; message < 200; message++) {
            String text = randomText(random, 1 + random.nextInt(120));
            sent.append(text);
            fromServer.channel(random.nextBoolean() ? WebSocketReader.STDOUT : WebSocketReader.STDERR, text);
        }
        CapturedParts parts = new CapturedParts();
        RelayTap tap = parts.webSocket(CapturedParts.NO_TTY, SMALL_THRESHOLD);
        randomPieces(random, fromServer.toByteArray()).forEach(piece -> tap.serverToClient(ByteBuffer.wrap(piece)));
        tap.close();

        assertThat(parts.output()).isEqualTo(sent.toString());
        assertThat(parts.parts).hasSizeGreaterThan(20);
        assertEveryPartStartsWithTheHeaderInSequence(parts);
    }

    @Test
    void ttyOutputIsHeldUntilTheFirstResizeWhichSetsTheHeaderSize() {
        CapturedParts parts = new CapturedParts();
        AsciicastRecorder recorder = parts.recorder(CapturedParts.SESSION, Duration.ofHours(1), SMALL_THRESHOLD);
        recorder.output(utf8("$ a prompt printed before the size is known\r\n"));
        recorder.flushOnInterval(); // what the flush timer does: held output is not cut at a size still unknown
        assertThat(parts.parts).as("nothing is cut before the size is known").isEmpty();
        recorder.resize(132, 43);
        recorder.output(utf8("after\r\n"));
        recorder.resize(100, 30);
        recorder.finish();

        assertThat(parts.header(0).path("width").asInt()).isEqualTo(132);
        assertThat(parts.header(0).path("height").asInt()).isEqualTo(43);
        assertThat(parts.output()).isEqualTo("$ a prompt printed before the size is known\r\nafter\r\n");
        assertThat(parts.resizes()).containsExactly("100x30");
        List<JsonNode> output = parts.events("o");
        assertThat(output.getFirst().get(0).asDouble()).isLessThanOrEqualTo(output.getLast().get(0).asDouble());
    }

    @Test
    void aTtyThatNeverSendsASizeIsRecordedAtTheDefaultSizeOnceTheHoldIsFull() {
        CapturedParts parts = new CapturedParts();
        AsciicastRecorder recorder = parts.recorder(CapturedParts.SESSION, Duration.ofHours(1), SMALL_THRESHOLD);
        String line = "output from a client that never says its size\r\n";
        for (int i = 0; i < 20; i++) {
            recorder.output(utf8(line));
        }
        assertThat(parts.parts).as("held output is released in parts, not kept without bound").isNotEmpty();
        recorder.finish();

        assertThat(parts.output()).isEqualTo(line.repeat(20));
        assertThat(parts.header(0).path("width").asInt()).isEqualTo(AsciicastRecorder.DEFAULT_WIDTH);
        assertThat(parts.header(0).path("height").asInt()).isEqualTo(AsciicastRecorder.DEFAULT_HEIGHT);
    }

    @Test
    void aQuietSessionIsFlushedByTheIntervalAndItsLastPartHasOnlyWhatCameAfter() {
        CapturedParts parts = new CapturedParts();
        AsciicastRecorder recorder = parts.recorder(CapturedParts.NO_TTY, Duration.ofMillis(50), 1_000_000);
        recorder.output(utf8("first\n"));
        Await.until("an interval part", Duration.ofSeconds(10), () -> !parts.parts.isEmpty());
        assertThat(parts.parts.getFirst().last()).isFalse();
        recorder.output(utf8("second\n"));
        recorder.finish();

        assertThat(parts.output()).isEqualTo("first\nsecond\n");
        assertThat(parts.parts.getLast().last()).isTrue();
        assertEveryPartStartsWithTheHeaderInSequence(parts);
    }

    @Test
    void anAbruptEndStillWritesOneFinalPartAndReportsTheDurationOnce() {
        CapturedParts parts = new CapturedParts();
        AtomicInteger durations = new AtomicInteger();
        AsciicastRecorder recorder = new AsciicastRecorder(CapturedParts.SESSION, parts, Runnable::run,
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(), Duration.ofHours(1), 1_000_000,
                duration -> durations.incrementAndGet());
        recorder.output(utf8("half a charac\u00e9".substring(0, 13)));
        recorder.output(ByteBuffer.wrap(new byte[] {(byte) 0xC3})); // the first byte of é, its second never comes
        recorder.finish();
        recorder.finish();
        recorder.output(utf8("after the end"));

        assertThat(parts.parts).hasSize(1);
        assertThat(parts.parts.getFirst().last()).isTrue();
        assertThat(parts.output()).isEqualTo("half a charac\uFFFD");
        assertThat(durations).hasValue(1);
    }

    /** Malformed bytes, a 4-byte character and a control character, cut at every offset: recorded as a terminal decodes them. */
    @Test
    void everyCutOfMalformedAndMultiByteOutputIsRecordedAsItDecodesWhole() {
        byte[] stream = concat("ok ".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xFF},
                "é\u001b[0m".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xE2, (byte) 0x82}, "A😀\n".getBytes(StandardCharsets.UTF_8));
        for (int cut = 0; cut <= stream.length; cut++) {
            CapturedParts parts = new CapturedParts();
            AsciicastRecorder recorder = parts.recorder(CapturedParts.NO_TTY);
            recorder.output(ByteBuffer.wrap(stream, 0, cut).asReadOnlyBuffer());
            recorder.output(ByteBuffer.wrap(stream, cut, stream.length - cut).asReadOnlyBuffer());
            recorder.finish();
            assertThat(parts.output()).as("cut at %d", cut).isEqualTo(new String(stream, StandardCharsets.UTF_8));
        }
    }

    private static byte[] concat(byte[]... pieces) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            all.writeBytes(piece);
        }
        return all.toByteArray();
    }

    @Test
    void aSessionWithNoOutputEndsWithAHeaderOnlyPart() {
        CapturedParts parts = new CapturedParts();
        parts.recorder(CapturedParts.NO_TTY).finish();
        assertThat(parts.parts).singleElement().satisfies(part -> {
            assertThat(part.last()).isTrue();
            assertThat(part.sequence()).isEqualTo(1);
            assertThat(part.asciicast().lines()).hasSize(1);
            assertThat(part.asciicast()).as("a lone header, no empty event line after it").doesNotContain("\n");
        });
        JsonNode header = parts.header(0);
        assertThat(header.path("version").asInt()).isEqualTo(2);
        assertThat(header.path("command").asText()).isEqualTo("ls");
        assertThat(header.path("user").asText()).isEqualTo("alice");
        assertThat(header.path("kubernetes").path("podname").asText()).isEqualTo("web");
        assertThat(header.path("kubernetes").path("namespace").asText()).isEqualTo("default");
        assertThat(header.path("kubernetes").path("container").asText()).isEqualTo("app");
        assertThat(header.path("timestamp").asLong()).isPositive();
    }

    static void assertEveryPartStartsWithTheHeaderInSequence(CapturedParts parts) {
        for (int i = 0; i < parts.parts.size(); i++) {
            CapturedParts.Part part = parts.parts.get(i);
            assertThat(part.sequence()).isEqualTo(i + 1);
            assertThat(part.last()).isEqualTo(i == parts.parts.size() - 1);
            assertThat(parts.header(i).path("version").asInt()).isEqualTo(2);
        }
    }

    /** Letters, control characters, and two-, three- and four-byte UTF-8 characters. */
    static String randomText(Random random, int codePoints) {
        int[] alphabet = {'a', 'Z', ' ', '\n', '\r', 0x1B, '"', '\\', 0xE9, 0x4E2D, 0x2713, 0x1F600};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            text.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
        }
        return text.toString();
    }

    static List<byte[]> randomPieces(Random random, byte[] bytes) {
        List<byte[]> pieces = new ArrayList<>();
        for (int start = 0; start < bytes.length; ) {
            int end = Math.min(bytes.length, start + 1 + random.nextInt(97));
            pieces.add(Arrays.copyOfRange(bytes, start, end));
            start = end;
        }
        return pieces;
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
