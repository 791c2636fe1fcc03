package com.twingate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.api.Test;

/**
 * The end of a relayed stream is the end of both directions: the recording and the stream's observers
 * hear of it only after the last bytes in flight have been seen, never while one direction still holds
 * some (they would be missing from the recording and from the response size).
 */
class RelayConnectionTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void theTapIsClosedAndTheStreamEndedOnlyAfterBothDirectionsStopped() throws Exception {
        CountDownLatch tapEntered = new CountDownLatch(1);
        CountDownLatch tapMayReturn = new CountDownLatch(1);
        List<String> tapEvents = new CopyOnWriteArrayList<>();
        RelayTap tap = new RelayTap() {
            @Override
            public void clientToServer(ByteBuffer bytes) {}

            @Override
            public void serverToClient(ByteBuffer bytes) {
                tapEntered.countDown();
                await(tapMayReturn);
                tapEvents.add("saw " + StandardCharsets.US_ASCII.decode(bytes));
            }

            @Override
            public void close() {
                tapEvents.add("closed");
            }
        };
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket toApiServer = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket apiServer = listener.accept()) {
            apiServer.setSoTimeout(Math.toIntExact(DEADLINE.toMillis()));
            ByteArrayEndPoint kubectl = new ByteArrayEndPoint();
            UpgradedStream stream = new UpgradedStream();
            CountDownLatch streamEnded = new CountDownLatch(1);
            stream.whenEnded(streamEnded::countDown);
            RelayConnection relay = new RelayConnection(kubectl, Executors.newVirtualThreadPerTaskExecutor(), toApiServer,
                    BufferUtil.EMPTY_BUFFER, tap, stream);
            kubectl.setConnection(relay);
            relay.onOpen();

            apiServer.getOutputStream().write("last words".getBytes(StandardCharsets.US_ASCII));
            assertThat(tapEntered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // kubectl goes away while the API server's last bytes are still with the recording.
            kubectl.addInputEOF();
            assertThat(apiServer.getInputStream().read()).as("the API server's side is closed").isEqualTo(-1);

            assertThat(tapEvents).as("nothing is closed while bytes are in flight").isEmpty();
            assertThat(streamEnded.getCount()).as("the stream has not ended for its observers").isEqualTo(1);

            tapMayReturn.countDown();
            Await.until("the stream to end", DEADLINE, () -> streamEnded.getCount() == 0);
            assertThat(tapEvents).containsExactly("saw last words", "closed");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
