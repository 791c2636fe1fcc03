package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.relay.RelayTap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.Test;

/**
 * The taps against frames made by the protocols' own libraries, fed whole, split at every byte
 * boundary, and byte by byte: the recorded events must not depend on how the relay read the bytes.
 */
class TapTest {

    private static final String STDOUT_TEXT = "total 8\nréservé ✓ ";
    private static final String STDERR_TEXT = "warning: ünïcode\n";

    private static byte[] webSocketFromServer() {
        byte[] big = "x".repeat(300).getBytes(StandardCharsets.US_ASCII);
        return new Frames.WebSocket(false)
                .channel(1, STDOUT_TEXT)
                // one stdout message in three fragments with a ping between them
                .frame(OpCode.BINARY, false, Frames.withStream(1, "frag".getBytes(StandardCharsets.UTF_8)))
                .ping()
                .frame(OpCode.CONTINUATION, false, "mented ".getBytes(StandardCharsets.UTF_8))
                .frame(OpCode.CONTINUATION, true, "message\n".getBytes(StandardCharsets.UTF_8))
                .channel(2, STDERR_TEXT)
                .channel(3, "{\"status\":\"Success\"}") // error stream: not output
                .channel(1, big) // a 16-bit length
                .toByteArray();
    }

    private static String expectedWebSocketOutput() {
        return STDOUT_TEXT + "fragmented message\n" + STDERR_TEXT + "x".repeat(300);
    }

    private static byte[] webSocketFromClient() {
        return new Frames.WebSocket(true)
                .channel(4, "{\"Width\":120,\"Height\":40}")
                .channel(0, "ls -l\n")
                .channel(4, "{\"Width\":100,\"Height\":30}")
                .toByteArray();
    }

    @Test
    void webSocketEventsDoNotDependOnHowTheBytesWereSplit() {
        byte[] fromServer = webSocketFromServer();
        CapturedParts whole = record(WEBSOCKET, webSocketFromClient(), List.of(fromServer));
        assertThat(whole.output()).isEqualTo(expectedWebSocketOutput());
        assertThat(whole.header(0).path("width").asInt()).isEqualTo(120);
        assertThat(whole.resizes()).containsExactly("100x30");

        for (int split = 1; split < fromServer.length; split++) {
            CapturedParts two = record(WEBSOCKET, webSocketFromClient(), List.of(
                    Arrays.copyOfRange(fromServer, 0, split), Arrays.copyOfRange(fromServer, split, fromServer.length)));
            assertThat(two.output()).as("split at %d", split).isEqualTo(expectedWebSocketOutput());
        }
        assertThat(record(WEBSOCKET, webSocketFromClient(), bytewise(fromServer)).output()).isEqualTo(expectedWebSocketOutput());
        assertThat(record(WEBSOCKET, bytewise(webSocketFromClient()), List.of(fromServer)).resizes()).containsExactly("100x30");
    }

    @Test
    void webSocketSixtyFourBitLengthsAndMaskedServerFramesAreRead() {
        byte[] payload = "y".repeat(70_000).getBytes(StandardCharsets.US_ASCII);
        byte[] fromServer = new Frames.WebSocket(true).channel(1, payload).toByteArray();
        for (int split : new int[] {1, 2, 3, 5, 9, 10, 11, 13, 14, 15, 1000, fromServer.length - 1}) {
            CapturedParts parts = record(WEBSOCKET, webSocketFromClient(), List.of(
                    Arrays.copyOfRange(fromServer, 0, split), Arrays.copyOfRange(fromServer, split, fromServer.length)));
            assertThat(parts.output()).as("split at %d", split).hasSize(70_000).matches("y+");
        }
    }

    @Test
    void base64ChannelMessagesAreDecoded() {
        byte[] fromServer = new Frames.WebSocket(false)
                .frame(OpCode.TEXT, true, ("1" + Base64.getEncoder().encodeToString("base64 out\n".getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.US_ASCII))
                .frame(OpCode.TEXT, false, ("2" + Base64.getEncoder().encodeToString("sp".getBytes(StandardCharsets.UTF_8)).substring(0, 2))
                        .getBytes(StandardCharsets.US_ASCII))
                .frame(OpCode.CONTINUATION, true, Base64.getEncoder().encodeToString("sp".getBytes(StandardCharsets.UTF_8)).substring(2)
                        .getBytes(StandardCharsets.US_ASCII))
                .toByteArray();
        CapturedParts parts = record(WEBSOCKET_BASE64, new byte[0], bytewise(fromServer));
        assertThat(parts.output()).isEqualTo("base64 out\nsp");
    }

    /**
     * Bypass 6: a 64-bit length with the high bit set threw out of the tap. The API server reads that length
     * as a negative number, which limits the frame to nothing: an empty frame, and the next frame follows at
     * once. The recorder reads it the same way and goes on.
     */
    @Test
    void aClientLengthWithTheHighBitSetIsTheEmptyFrameTheApiServerReads() {
        byte[] odd = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4};
        byte[] fromClient = concat(odd, new Frames.WebSocket(true).channel(4, "{\"Width\":77,\"Height\":22}").toByteArray());
        byte[] fromServer = new Frames.WebSocket(false).channel(1, "still recorded").toByteArray();
        CapturedParts parts = record(WEBSOCKET, List.of(fromClient), List.of(fromServer));
        assertThat(parts.header(0).path("width").asInt()).as("the resize after the odd frame was read").isEqualTo(77);
        assertThat(parts.output()).isEqualTo("still recorded");
        for (int split = 1; split < fromClient.length; split++) {
            CapturedParts two = record(WEBSOCKET, List.of(Arrays.copyOfRange(fromClient, 0, split),
                    Arrays.copyOfRange(fromClient, split, fromClient.length)), List.of(fromServer));
            assertThat(two.header(0).path("width").asInt()).as("split at %d", split).isEqualTo(77);
        }
    }

    /** What the API server ignores the recorder ignores, in every channel protocol, and recording goes on. */
    @Test
    void clientFramesTheApiServerIgnoresAreIgnored() {
        byte[] fromClient = concat(
                new Frames.WebSocket(true)
                        .frame(OpCode.TEXT, true, "9!!!!".getBytes(StandardCharsets.US_ASCII)) // channel 9, not base64
                        .frame(OpCode.TEXT, true, "4{not base64}".getBytes(StandardCharsets.US_ASCII))
                        .frame(OpCode.TEXT, true, new byte[0])
                        .frame(OpCode.TEXT, true, ("4" + Base64.getEncoder().encodeToString(
                                "{\"Width\":61,\"Height\":19}".getBytes(StandardCharsets.US_ASCII))).getBytes(StandardCharsets.US_ASCII))
                        .toByteArray());
        byte[] fromServer = new Frames.WebSocket(false)
                .frame(OpCode.TEXT, true, ("1" + Base64.getEncoder().encodeToString("out".getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.US_ASCII))
                .toByteArray();
        CapturedParts parts = record(WEBSOCKET_BASE64, List.of(fromClient), List.of(fromServer));
        assertThat(parts.header(0).path("width").asInt()).isEqualTo(61);
        assertThat(parts.output()).isEqualTo("out");
    }

    /** Bypass 4: the codec is the negotiated subprotocol's; a text frame on v4.channel.k8s.io is raw channel data. */
    @Test
    void textFramesOnABinaryProtocolCarryRawChannelData() {
        byte[] fromClient = new Frames.WebSocket(true).frame(OpCode.TEXT, true, Frames.withStream(4,
                "{\"Width\":88,\"Height\":11}".getBytes(StandardCharsets.US_ASCII))).toByteArray();
        byte[] fromServer = new Frames.WebSocket(false).frame(OpCode.TEXT, true, Frames.withStream(1,
                "text-framed output".getBytes(StandardCharsets.UTF_8))).toByteArray();
        CapturedParts parts = record(WEBSOCKET, List.of(fromClient), List.of(fromServer));
        assertThat(parts.header(0).path("width").asInt()).isEqualTo(88);
        assertThat(parts.output()).isEqualTo("text-framed output");
    }

    /** Output the recorder cannot read is a failure it reports (ending the session by default), never a silent stop. */
    @Test
    void serverFramesTheClientCannotReadFailTheRecordingLoudly() {
        byte[] negativeLength = {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 5};
        byte[] notBase64 = new Frames.WebSocket(false).frame(OpCode.TEXT, true, "1!!!!".getBytes(StandardCharsets.US_ASCII))
                .toByteArray();
        for (byte[] fromServer : List.of(negativeLength, notBase64)) {
            CapturedParts parts = new CapturedParts();
            RelayTap tap = parts.tap(CapturedParts.SESSION, fromServer == notBase64 ? WEBSOCKET_BASE64 : WEBSOCKET);
            assertThat(tap.serverToClient(ByteBuffer.wrap(fromServer)).toCompletableFuture().isCompletedExceptionally()).isTrue();
            tap.close();
            assertThat(parts.endedBecause).singleElement().asString().startsWith("session recording failed: the API server sent");
            assertThat(parts.parts.getLast().last()).as("the recording is closed").isTrue();
        }
    }

    /** SPDY data on a stream whose opening the recorder did not see (its headers unreadable) fails the recording. */
    @Test
    void spdyOutputOnAStreamNotSeenOpenedFailsTheRecordingRatherThanGoUnrecorded() {
        CapturedParts parts = new CapturedParts();
        RelayTap tap = parts.tap(CapturedParts.SESSION, SPDY);
        tap.clientToServer(ByteBuffer.wrap(new Frames.Spdy().open(1, "stdout").toByteArray()));
        tap.serverToClient(ByteBuffer.wrap(new Frames.Spdy().reply(1).data(1, "seen").data(3, "hidden?").toByteArray()));
        tap.close();
        assertThat(parts.output()).isEqualTo("seen");
        assertThat(parts.endedBecause).singleElement().asString().contains("stream 3");
    }

    /** A stream re-opened under the same id keeps counting as output if any opening said stdout or stderr. */
    @Test
    void aSpdyStreamOpenedTwiceCountsAsOutputIfEitherOpeningSaidSo() {
        byte[] fromClient = new Frames.Spdy().open(5, "stdout").open(5, "error").toByteArray();
        CapturedParts parts = record(SPDY, List.of(fromClient), List.of(new Frames.Spdy().reply(5).data(5, "out").toByteArray()));
        assertThat(parts.output()).isEqualTo("out");
    }

    private static byte[] concat(byte[]... pieces) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            out.writeBytes(piece);
        }
        return out.toByteArray();
    }

    private static byte[] spdyFromClient() {
        return new Frames.Spdy()
                .open(1, "error").open(3, "stdin").open(5, "stdout").open(7, "stderr").open(9, "resize")
                .data(9, "{\"Width\":90,\"Height\":")
                .data(9, "33}{\"Width\":91,\"Height\":34}")
                .data(3, "typed input\n")
                .toByteArray();
    }

    private static byte[] spdyFromServer() {
        return new Frames.Spdy()
                .reply(1).reply(3).reply(5).reply(7).reply(9)
                .data(5, STDOUT_TEXT)
                .data(7, STDERR_TEXT)
                .data(1, "{\"status\":\"Success\"}")
                .toByteArray();
    }

    @Test
    void spdyEventsDoNotDependOnHowTheBytesWereSplit() {
        byte[] fromClient = spdyFromClient();
        byte[] fromServer = spdyFromServer();
        CapturedParts whole = record(SPDY, fromClient, List.of(fromServer));
        assertThat(whole.output()).isEqualTo(STDOUT_TEXT + STDERR_TEXT);
        assertThat(whole.header(0).path("width").asInt()).isEqualTo(90);
        assertThat(whole.header(0).path("height").asInt()).isEqualTo(33);
        assertThat(whole.resizes()).containsExactly("91x34");

        for (int split = 1; split < fromServer.length; split++) {
            CapturedParts two = record(SPDY, fromClient, List.of(
                    Arrays.copyOfRange(fromServer, 0, split), Arrays.copyOfRange(fromServer, split, fromServer.length)));
            assertThat(two.output()).as("server bytes split at %d", split).isEqualTo(STDOUT_TEXT + STDERR_TEXT);
        }
        for (int split = 1; split < fromClient.length; split++) {
            List<byte[]> client = List.of(Arrays.copyOfRange(fromClient, 0, split), Arrays.copyOfRange(fromClient, split, fromClient.length));
            CapturedParts two = record(SPDY, client, List.of(fromServer));
            assertThat(two.resizes()).as("client bytes split at %d", split).containsExactly("91x34");
            assertThat(two.output()).as("client bytes split at %d", split).isEqualTo(STDOUT_TEXT + STDERR_TEXT);
        }
        assertThat(record(SPDY, bytewise(fromClient), bytewise(fromServer)).output()).isEqualTo(STDOUT_TEXT + STDERR_TEXT);
    }

    private static final Function<StreamEvents, ProtocolReader> WEBSOCKET = events -> new WebSocketReader(WebSocketReader.Codec.BINARY, events);
    private static final Function<StreamEvents, ProtocolReader> WEBSOCKET_BASE64 =
            events -> new WebSocketReader(WebSocketReader.Codec.BASE64, events);
    private static final Function<StreamEvents, ProtocolReader> SPDY = SpdyReader::new;

    private static CapturedParts record(Function<StreamEvents, ProtocolReader> tapFor, byte[] fromClient, List<byte[]> fromServer) {
        return record(tapFor, List.of(fromClient), fromServer);
    }

    /** Client bytes first (the terminal size comes before output is shown), then the server's. */
    private static CapturedParts record(Function<StreamEvents, ProtocolReader> tapFor, List<byte[]> fromClient, List<byte[]> fromServer) {
        CapturedParts parts = new CapturedParts();
        RelayTap tap = parts.tap(CapturedParts.SESSION, tapFor);
        fromClient.forEach(piece -> tap.clientToServer(ByteBuffer.wrap(piece)));
        fromServer.forEach(piece -> tap.serverToClient(ByteBuffer.wrap(piece)));
        tap.close();
        assertThat(parts.parts.getLast().last()).isTrue();
        assertThat(parts.endedBecause).as("the recording followed the stream").isEmpty();
        return parts;
    }

    private static List<byte[]> bytewise(byte[] bytes) {
        return java.util.stream.IntStream.range(0, bytes.length).mapToObj(i -> new byte[] {bytes[i]}).toList();
    }
}
