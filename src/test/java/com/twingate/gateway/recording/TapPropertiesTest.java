package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.relay.RelayTap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * The taps against random and mutated WebSocket and SPDY streams, fed in random pieces, both directions
 * interleaved. Whatever the bytes: no exception escapes a tap, the recording is always closed with its
 * last part, and output the API server sent is recorded — exactly, when its stream is well formed —
 * or the recording fails loudly (by default ending the session), never silently.
 */
class TapPropertiesTest {

    private static final int TRIES = 300;

    private enum Protocol { BINARY, BASE64, SPDY }

    /** Well-formed streams: the recorded output is exactly the stdout and stderr text sent, however split. */
    @Property(tries = TRIES)
    void wellFormedStreamsAreRecordedExactly(@ForAll long seed) {
        Random random = new Random(seed);
        for (Protocol protocol : Protocol.values()) {
            Session session = Session.random(random, protocol);
            CapturedParts parts = feed(random, protocol, session.fromClient(), session.fromServer());
            assertThat(parts.endedBecause).as("%s seed %d", protocol, seed).isEmpty();
            assertThat(parts.output()).as("%s seed %d", protocol, seed).isEqualTo(session.output());
        }
    }

    /**
     * Whatever the client sends, the API server's output is recorded: client bytes cannot hide it. Over
     * WebSocket the output is recorded exactly; over SPDY, where the client names the streams, the recording
     * either holds all of the output or says it failed. (It may hold more: a client that names the status
     * stream stdout gets the status recorded with the output.)
     */
    @Property(tries = TRIES)
    void nothingTheClientSendsHidesTheApiServersOutput(@ForAll long seed) {
        Random random = new Random(seed);
        for (Protocol protocol : Protocol.values()) {
            Session session = Session.random(random, protocol);
            byte[] fromClient = random.nextInt(4) == 0 ? randomBytes(random, random.nextInt(2000)) : mutate(random, session.fromClient());
            CapturedParts parts = feed(random, protocol, fromClient, session.fromServer());
            if (protocol == Protocol.SPDY) {
                assertThat(parts.output().contains(session.output()) || !parts.endedBecause.isEmpty())
                        .as("SPDY seed %d: recorded %s, failures %s", seed, parts.output(), parts.endedBecause).isTrue();
            } else {
                assertThat(parts.endedBecause).as("%s seed %d", protocol, seed).isEmpty();
                assertThat(parts.output()).as("%s seed %d", protocol, seed).isEqualTo(session.output());
            }
        }
    }

    /** Garbage both ways: nothing escapes, and the recording is closed with its last part. */
    @Property(tries = TRIES)
    void mutatedAndRandomStreamsNeverThrowAndTheRecordingIsAlwaysClosed(@ForAll long seed) {
        Random random = new Random(seed);
        for (Protocol protocol : Protocol.values()) {
            Session session = Session.random(random, protocol);
            byte[] fromClient = random.nextBoolean() ? mutate(random, session.fromClient()) : randomBytes(random, random.nextInt(3000));
            byte[] fromServer = random.nextBoolean() ? mutate(random, session.fromServer()) : randomBytes(random, random.nextInt(3000));
            feed(random, protocol, fromClient, fromServer);
        }
    }

    /** Feeds both directions in random pieces, interleaved, then closes; checks what holds for any bytes. */
    private static CapturedParts feed(Random random, Protocol protocol, byte[] fromClient, byte[] fromServer) {
        CapturedParts parts = new CapturedParts();
        RelayTap tap = parts.tap(CapturedParts.NO_TTY, reader(protocol));
        List<byte[]> client = AsciicastRecorderTest.randomPieces(random, fromClient);
        List<byte[]> server = AsciicastRecorderTest.randomPieces(random, fromServer);
        int c = 0;
        int s = 0;
        // The client's bytes of a SPDY stream open it before the API server can answer on it: the relay sees them first.
        while (c < client.size() || s < server.size()) {
            boolean clientNext = s == server.size() || c < client.size() && (protocol == Protocol.SPDY || random.nextBoolean());
            if (clientNext) {
                tap.clientToServer(ByteBuffer.wrap(client.get(c++)).asReadOnlyBuffer());
            } else {
                tap.serverToClient(ByteBuffer.wrap(server.get(s++)).asReadOnlyBuffer());
            }
        }
        tap.close();
        assertThat(parts.parts).isNotEmpty();
        assertThat(parts.parts.getLast().last()).as("the recording is closed").isTrue();
        return parts;
    }

    private static Function<StreamEvents, ProtocolReader> reader(Protocol protocol) {
        return switch (protocol) {
            case BINARY -> events -> new WebSocketReader(WebSocketReader.Codec.BINARY, events);
            case BASE64 -> events -> new WebSocketReader(WebSocketReader.Codec.BASE64, events);
            case SPDY -> SpdyReader::new;
        };
    }

    /** One session's bytes each way and the output text the API server sent in them. */
    private record Session(byte[] fromClient, byte[] fromServer, String output) {

        static Session random(Random random, Protocol protocol) {
            String output = AsciicastRecorderTest.randomText(random, random.nextInt(400));
            byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
            List<byte[]> messages = AsciicastRecorderTest.randomPieces(random, bytes);
            return protocol == Protocol.SPDY ? spdy(random, messages, output) : webSocket(random, protocol, messages, output);
        }

        private static Session webSocket(Random random, Protocol protocol, List<byte[]> messages, String output) {
            boolean base64 = protocol == Protocol.BASE64;
            Frames.WebSocket server = new Frames.WebSocket(false);
            for (byte[] message : messages) {
                if (random.nextInt(5) == 0) {
                    server.channel(3, "{\"status\":\"Working\"}");
                }
                int stream = random.nextBoolean() ? WebSocketReader.STDOUT : WebSocketReader.STDERR;
                byte[] payload = base64 ? ((char) ('0' + stream) + Base64.getEncoder().encodeToString(message)).getBytes(StandardCharsets.US_ASCII)
                        : Frames.withStream(stream, message);
                fragments(random, server, base64 ? OpCode.TEXT : OpCode.BINARY, payload);
            }
            Frames.WebSocket client = new Frames.WebSocket(true);
            for (int i = random.nextInt(4); i > 0; i--) {
                byte[] resize = "{\"Width\":100,\"Height\":30}".getBytes(StandardCharsets.US_ASCII);
                byte[] stdin = "typed\n".getBytes(StandardCharsets.US_ASCII);
                client.frame(base64 ? OpCode.TEXT : OpCode.BINARY, true, base64
                        ? ("4" + Base64.getEncoder().encodeToString(resize)).getBytes(StandardCharsets.US_ASCII) : Frames.withStream(4, resize));
                client.frame(base64 ? OpCode.TEXT : OpCode.BINARY, true, base64
                        ? ("0" + Base64.getEncoder().encodeToString(stdin)).getBytes(StandardCharsets.US_ASCII) : Frames.withStream(0, stdin));
            }
            return new Session(client.toByteArray(), server.toByteArray(), output);
        }

        /** A message as one frame or several, with a ping between fragments now and then. */
        private static void fragments(Random random, Frames.WebSocket frames, byte opcode, byte[] payload) {
            List<byte[]> fragments = random.nextInt(3) == 0 ? AsciicastRecorderTest.randomPieces(random, payload) : List.of(payload);
            for (int i = 0; i < fragments.size(); i++) {
                frames.frame(i == 0 ? opcode : OpCode.CONTINUATION, i == fragments.size() - 1, fragments.get(i));
                if (i < fragments.size() - 1 && random.nextBoolean()) {
                    frames.ping();
                }
            }
        }

        private static Session spdy(Random random, List<byte[]> messages, String output) {
            Frames.Spdy client = new Frames.Spdy().open(1, "error").open(3, "stdin").open(5, "stdout").open(7, "stderr")
                    .open(9, "resize").data(9, "{\"Width\":90,\"Height\":20}").data(3, "typed\n");
            Frames.Spdy server = new Frames.Spdy().reply(1).reply(3).reply(5).reply(7).reply(9);
            for (byte[] message : messages) {
                server.data(random.nextBoolean() ? 5 : 7, message);
            }
            server.data(1, "{\"status\":\"Success\"}");
            return new Session(client.toByteArray(), server.toByteArray(), output);
        }
    }

    /** A few bytes flipped, inserted or removed. */
    private static byte[] mutate(Random random, byte[] bytes) {
        List<Byte> mutated = new ArrayList<>();
        for (byte b : bytes) {
            mutated.add(b);
        }
        for (int i = 1 + random.nextInt(5); i > 0; i--) {
            int at = mutated.isEmpty() ? 0 : random.nextInt(mutated.size());
            switch (random.nextInt(3)) {
                case 0 -> mutated.add(at, (byte) random.nextInt(256));
                case 1 -> {
                    if (!mutated.isEmpty()) {
                        mutated.remove(at);
                    }
                }
                default -> {
                    if (!mutated.isEmpty()) {
                        mutated.set(at, (byte) (mutated.get(at) ^ (1 << random.nextInt(8))));
                    }
                }
            }
        }
        byte[] result = new byte[mutated.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = mutated.get(i);
        }
        return result;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
