package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The recording writer's backlog is bounded: a log that falls behind slows the session, loses nothing. */
class RecordingWriterTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void aStuckLogBlocksTheSessionOncePendingPartsReachTheBoundThenWritesEverythingInOrder() throws Exception {
        RecordingWriter writer = new RecordingWriter(3);
        CountDownLatch logUnstuck = new CountDownLatch(1);
        List<Integer> written = new CopyOnWriteArrayList<>();
        AtomicInteger handedOver = new AtomicInteger();
        Thread session = Thread.ofVirtual().start(() -> {
            for (int part = 1; part <= 10; part++) {
                int number = part;
                writer.execute(() -> {
                    await(logUnstuck);
                    written.add(number);
                });
                handedOver.incrementAndGet();
            }
        });

        Await.until("the session to block on the full backlog", DEADLINE, () -> session.getState() == Thread.State.WAITING);
        assertThat(handedOver.get()).as("parts accepted while the log is stuck").isEqualTo(3);
        assertThat(written).isEmpty();

        logUnstuck.countDown();
        assertThat(session.join(DEADLINE)).isTrue();
        Await.until("every part to be written", DEADLINE, () -> written.size() == 10);
        assertThat(written).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        writer.stop();
    }

    @Test
    void aFailingPartDoesNotKeepItsPlaceInTheBacklog() throws Exception {
        RecordingWriter writer = new RecordingWriter(1);
        List<Integer> written = new CopyOnWriteArrayList<>();
        writer.execute(() -> {
            throw new IllegalStateException("disk full");
        });
        writer.execute(() -> written.add(2));
        writer.execute(() -> written.add(3));
        Await.until("the parts after the failure to be written", DEADLINE, () -> written.size() == 2);
        assertThat(written).containsExactly(2, 3);
        writer.stop();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
