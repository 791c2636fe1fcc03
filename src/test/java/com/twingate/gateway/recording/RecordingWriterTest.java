package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.relay.RelayTap;
import com.twingate.gateway.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The writer never blocks whoever hands it a part; the memory parts hold while they wait counts against
 * the budget, and whoever must wait for it is told so by a completion, not by a parked thread.
 */
class RecordingWriterTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void aStuckLogNeverBlocksTheCallerAndTheBudgetSaysWhenToWaitThenEverythingIsWrittenInOrder() throws Exception {
        RecordingBudget budget = new RecordingBudget(300);
        RecordingWriter writer = RecordingWriter.onItsOwnThread(budget);
        CountDownLatch logUnstuck = new CountDownLatch(1);
        List<Integer> written = new CopyOnWriteArrayList<>();
        for (int part = 1; part <= 10; part++) {
            int number = part;
            budget.take(100);
            writer.write(100, () -> {
                await(logUnstuck);
                written.add(number);
            });
        }
        assertThat(written).as("the caller handed over ten parts without blocking").isEmpty();
        assertThat(budget.exhausted()).isTrue();
        CompletionStage<Void> mayGoOn = budget.whenAvailable();
        assertThat(mayGoOn.toCompletableFuture().isDone()).as("over the budget: wait").isFalse();

        logUnstuck.countDown();
        mayGoOn.toCompletableFuture().get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        Await.until("every part to be written", DEADLINE, () -> written.size() == 10);
        assertThat(written).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(budget.held()).isZero();
        assertThat((Object) budget.whenAvailable()).isSameAs(RelayTap.GO_ON);
        writer.stop();
    }

    @Test
    void aFailingPartGivesItsMemoryBackAndTheNextPartsAreWritten() throws Exception {
        RecordingBudget budget = new RecordingBudget(1000);
        RecordingWriter writer = new RecordingWriter(Executors.newSingleThreadExecutor(), budget);
        List<Integer> written = new CopyOnWriteArrayList<>();
        budget.take(30);
        writer.write(10, () -> {
            throw new IllegalStateException("disk full");
        });
        writer.write(10, () -> written.add(2));
        writer.write(10, () -> written.add(3));
        Await.until("the parts after the failure to be written", DEADLINE, () -> written.size() == 2);
        assertThat(written).containsExactly(2, 3);
        Await.until("all memory given back", DEADLINE, () -> budget.held() == 0);
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
