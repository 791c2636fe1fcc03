package com.twingate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tunnel's rules for the end of a stream, on in-memory endpoints: a side that stops sending
 * half-closes the other side, what is still in flight the other way is delivered, both close when
 * both ended (or after the linger), and the tap and the stream's observers hear of the end only after
 * every byte went through them.
 */
class TunnelTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final QueuedThreadPool executor = new QueuedThreadPool();
    private final ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler();
    private final List<String> tapEvents = new CopyOnWriteArrayList<>();
    private final AtomicLong fromClient = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    private final CountDownLatch streamEnded = new CountDownLatch(1);
    private ByteArrayEndPoint kubectl;
    private ByteArrayEndPoint apiServer;

    @BeforeEach
    void start() throws Exception {
        executor.start();
        scheduler.start();
        kubectl = endPoint();
        apiServer = endPoint();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.stop();
        executor.stop();
    }

    @Test
    void whenTheApiServerEndsKubectlStillDeliversItsCloseFrameAndBothCloseOnlyThen() throws Exception {
        ActiveTunnels tunnels = new ActiveTunnels(Duration.ofMinutes(1));
        install(tunnels, recordingTap());

        apiServer.addInput("status: exit 0");
        apiServer.addInputEOF();
        Await.until("kubectl to receive the last output", DEADLINE, () -> kubectl.getOutputString().equals("status: exit 0"));
        Await.until("kubectl's side to be half-closed", DEADLINE, kubectl::isOutputShutdown);
        assertThat(kubectl.isOpen()).as("kubectl may still send").isTrue();
        assertThat(streamEnded.getCount()).as("not ended while kubectl may still send").isEqualTo(1);

        kubectl.addInput("close frame");
        Await.until("the close frame to reach the API server", DEADLINE, () -> apiServer.getOutputString().equals("close frame"));
        kubectl.addInputEOF();

        assertThat(streamEnded.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.isOpen()).isFalse();
        assertThat(apiServer.isOpen()).isFalse();
        assertThat(tapEvents).containsExactly("server: status: exit 0", "client: close frame", "closed");
        assertThat(toClient).hasValue("status: exit 0".length());
        assertThat(fromClient).hasValue("close frame".length());
        assertThat(tunnels.size()).isZero();
    }

    @Test
    void aSideThatNeverFinishesIsClosedAfterTheLinger() throws Exception {
        install(new ActiveTunnels(Duration.ofMillis(200)), RelayTap.NONE);

        kubectl.addInputEOF();
        assertThat(streamEnded.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("ended by the linger").isTrue();
        assertThat(apiServer.isOpen()).isFalse();
        assertThat(kubectl.isOpen()).isFalse();
    }

    @Test
    void bytesForASideThatClosedAreDroppedWhileTheSenderFinishes() throws Exception {
        install(new ActiveTunnels(Duration.ofMinutes(1)), recordingTap());
        apiServer.close();

        kubectl.addInput("typed after the API server went away");
        kubectl.addInputEOF();
        assertThat(streamEnded.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.isOpen()).isFalse();
    }

    @Test
    void theTapAndTheObserversHearOfTheEndOnlyAfterTheLastBytesInFlight() throws Exception {
        CountDownLatch tapEntered = new CountDownLatch(1);
        CountDownLatch tapMayReturn = new CountDownLatch(1);
        RelayTap slowTap = new RelayTap() {
            @Override
            public CompletionStage<Void> clientToServer(ByteBuffer bytes) {
                return GO_ON;
            }

            @Override
            public CompletionStage<Void> serverToClient(ByteBuffer bytes) {
                tapEntered.countDown();
                await(tapMayReturn);
                tapEvents.add("saw " + StandardCharsets.US_ASCII.decode(bytes));
                return GO_ON;
            }

            @Override
            public void close() {
                tapEvents.add("closed");
            }
        };
        install(new ActiveTunnels(Duration.ofMinutes(1)), slowTap);

        apiServer.addInputAndExecute("last words");
        assertThat(tapEntered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // kubectl goes away while the API server's last bytes are still with the recording.
        kubectl.close();
        Await.until("the API server's side to close", DEADLINE, () -> !apiServer.isOpen());
        assertThat(tapEvents).as("nothing is closed while bytes are in flight").isEmpty();
        assertThat(streamEnded.getCount()).as("the stream has not ended for its observers").isEqualTo(1);

        tapMayReturn.countDown();
        assertThat(streamEnded.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(tapEvents).containsExactly("saw last words", "closed");
    }

    @Test
    void nothingReachesKubectlBeforeItsEndIsInPlaceAndEarlyFramesGoFirst() throws Exception {
        Tunnel tunnel = new ActiveTunnels(Duration.ofMinutes(1)).open(kubectl, apiServer, executor, new ArrayByteBufferPool(),
                scheduler, RelayTap.NONE, stream());
        apiServer.upgrade(tunnel.serverConnection());
        apiServer.addInput(" and what followed");
        assertThat(kubectl.getOutputString()).as("nothing reaches kubectl before its 101 is written").isEmpty();

        kubectl.upgrade(tunnel.clientConnection());
        Await.until("the bytes to reach kubectl", DEADLINE, () -> kubectl.getOutputString().equals(" and what followed"));
    }

    @Test
    void abortingBeforeKubectlsEndIsInstalledClosesTheApiServerAndEndsTheStream() throws Exception {
        Tunnel tunnel = new ActiveTunnels(Duration.ofMinutes(1)).open(kubectl, apiServer, executor, new ArrayByteBufferPool(),
                scheduler, RelayTap.NONE, stream());
        apiServer.upgrade(tunnel.serverConnection());

        tunnel.abort(new java.io.IOException("the 101 could not be written"));

        assertThat(streamEnded.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(apiServer.isOpen()).isFalse();
    }

    /**
     * A tap that cannot keep up pauses the side it records: that side is not read again until the tap's
     * answer completes — no thread waits meanwhile — and the other direction goes on.
     */
    @Test
    void aTapThatCannotKeepUpPausesTheSideItRecordsWithoutHoldingAThread() throws Exception {
        CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        RelayTap slowRecorder = new RelayTap() {
            @Override
            public CompletionStage<Void> clientToServer(ByteBuffer bytes) {
                return GO_ON;
            }

            @Override
            public CompletionStage<Void> serverToClient(ByteBuffer bytes) {
                seen.add(StandardCharsets.US_ASCII.decode(bytes).toString());
                return seen.size() == 1 ? caughtUp : GO_ON;
            }

            @Override
            public void close() {}
        };
        install(new ActiveTunnels(Duration.ofMinutes(1)), slowRecorder);

        apiServer.addInputAndExecute("first");
        Await.until("the first chunk to reach kubectl", DEADLINE, () -> kubectl.getOutputString().equals("first"));
        apiServer.addInputAndExecute("second");
        kubectl.addInputAndExecute("typed");
        Await.until("kubectl's side to go on meanwhile", DEADLINE, () -> apiServer.getOutputString().equals("typed"));
        Await.until("no pool thread to be busy with the tunnel", DEADLINE, () -> executor.getBusyThreads() == 0);
        assertThat(seen).as("the API server's side is not read while the recording catches up").containsExactly("first");
        assertThat(kubectl.getOutputString()).isEqualTo("first");

        caughtUp.complete(null);
        Await.until("the paused side to be read again", DEADLINE, () -> kubectl.getOutputString().equals("firstsecond"));
        assertThat(seen).containsExactly("first", "second");
    }

    /** A tap whose answer fails (the recording failed, refuse) ends the session; the chunk is not passed on. */
    @Test
    void aFailedTapAnswerEndsTheSessionBeforeTheChunkIsPassedOn() throws Exception {
        RelayTap failing = new RelayTap() {
            @Override
            public CompletionStage<Void> clientToServer(ByteBuffer bytes) {
                return GO_ON;
            }

            @Override
            public CompletionStage<Void> serverToClient(ByteBuffer bytes) {
                return CompletableFuture.failedFuture(new IllegalStateException("the recording cannot be written"));
            }

            @Override
            public void close() {
                tapEvents.add("closed");
            }
        };
        install(new ActiveTunnels(Duration.ofMinutes(1)), failing);

        apiServer.addInputAndExecute("unrecordable output");
        assertThat(streamEnded.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.getOutputString()).isEmpty();
        assertThat(kubectl.isOpen()).isFalse();
        assertThat(apiServer.isOpen()).isFalse();
        assertThat(tapEvents).containsExactly("closed");
    }

    private void install(ActiveTunnels tunnels, RelayTap tap) {
        Tunnel tunnel = tunnels.open(kubectl, apiServer, executor, new ArrayByteBufferPool(), scheduler, tap, stream());
        apiServer.upgrade(tunnel.serverConnection());
        kubectl.upgrade(tunnel.clientConnection());
    }

    private UpgradedStream stream() {
        UpgradedStream stream = new UpgradedStream(fromClient::addAndGet, toClient::addAndGet);
        stream.whenEnded(streamEnded::countDown);
        return stream;
    }

    private RelayTap recordingTap() {
        return new RelayTap() {
            @Override
            public CompletionStage<Void> clientToServer(ByteBuffer bytes) {
                tapEvents.add("client: " + StandardCharsets.US_ASCII.decode(bytes));
                return GO_ON;
            }

            @Override
            public CompletionStage<Void> serverToClient(ByteBuffer bytes) {
                tapEvents.add("server: " + StandardCharsets.US_ASCII.decode(bytes));
                return GO_ON;
            }

            @Override
            public void close() {
                tapEvents.add("closed");
            }
        };
    }

    /** An in-memory endpoint with a placeholder connection, as an HTTP connection would be before the upgrade. */
    private ByteArrayEndPoint endPoint() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 64 * 1024, true);
        endPoint.setConnection(new HttpBeforeTheUpgrade(endPoint));
        return endPoint;
    }

    private final class HttpBeforeTheUpgrade extends AbstractConnection {
        private HttpBeforeTheUpgrade(EndPoint endPoint) {
            super(endPoint, executor);
        }

        @Override
        public void onFillable() {}
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
