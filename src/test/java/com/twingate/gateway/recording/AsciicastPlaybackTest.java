package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.relay.RelayTap;
import com.twingate.gateway.testkit.Asciinema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recordings are asciicast v2 the real player understands (docs/recording.md): {@code asciinema cat} of the
 * {@code .cast} file gives the whole session's output, and of each log part that part's output.
 */
class AsciicastPlaybackTest {

    @TempDir
    Path directory;

    @Test
    void theCastFileAndEveryLogPartReplayTheirOutput() throws Exception {
        CastFileSink castFiles = new CastFileSink(directory, 0);
        CapturedParts logParts = new CapturedParts();
        RecordingSink both = (session, asciicast, sequence, last) -> {
            castFiles.part(session, asciicast, sequence, last);
            logParts.part(session, asciicast, sequence, last);
        };
        Random random = new Random();
        StringBuilder sent = new StringBuilder();
        Frames.WebSocket fromServer = new Frames.WebSocket(false);
        for (int message = 0; message < 60; message++) {
            String text = AsciicastRecorderTest.randomText(random, 1 + random.nextInt(60));
            sent.append(text);
            fromServer.channel(WebSocketReader.STDOUT, text);
        }
        RelayTap tap = logParts.tap(both, CapturedParts.SESSION, 400,
                events -> new WebSocketReader(WebSocketReader.Codec.BINARY, events));
        tap.clientToServer(ByteBuffer.wrap(new Frames.WebSocket(true).channel(WebSocketReader.RESIZE, "{\"Width\":120,\"Height\":40}")
                .toByteArray()));
        AsciicastRecorderTest.randomPieces(random, fromServer.toByteArray()).forEach(piece -> tap.serverToClient(ByteBuffer.wrap(piece)));
        tap.clientToServer(ByteBuffer.wrap(new Frames.WebSocket(true).channel(WebSocketReader.RESIZE, "{\"Width\":90,\"Height\":20}")
                .toByteArray()));
        tap.close();

        Path castFile = castFiles.fileFor(CapturedParts.SESSION);
        assertThat(new String(Asciinema.cat(castFile), StandardCharsets.UTF_8)).isEqualTo(sent.toString());
        assertThat(Files.readAllLines(castFile).getFirst()).contains("\"width\":120", "\"height\":40");

        assertThat(logParts.parts).hasSizeGreaterThan(3);
        for (CapturedParts.Part part : logParts.parts) {
            Path partFile = directory.resolve("part-" + part.sequence() + ".cast");
            Files.writeString(partFile, part.asciicast() + "\n");
            StringBuilder partOutput = new StringBuilder();
            part.asciicast().lines().skip(1).map(CapturedParts::parse).filter(event -> event.get(1).asText().equals("o"))
                    .forEach(event -> partOutput.append(event.get(2).asText()));
            assertThat(new String(Asciinema.cat(partFile), StandardCharsets.UTF_8)).as("part %d", part.sequence())
                    .isEqualTo(partOutput.toString());
        }
    }
}
