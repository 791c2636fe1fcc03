package com.twingate.gateway.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One session as asciicast v2 (docs/recording.md): output and resizes become events, buffered and handed to the
 * sink in parts (by size, by interval, at the end, and early when all recordings together reach their
 * {@link RecordingBudget}), each part led by the header so it plays alone. For a TTY the first resize
 * sets the header's size; output before it is held, never dropped. Thread-safe: the two relay
 * directions call in concurrently. Parts are joined and written by the {@link RecordingWriter}, never on
 * the caller's thread; the caller learns from the budget when to wait.
 */
public final class AsciicastRecorder {

    static final int DEFAULT_WIDTH = 80;
    static final int DEFAULT_HEIGHT = 24;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionInfo session;
    private final RecordingSink sink;
    private final RecordingWriter output;
    private final RecordingBudget budget;
    private final long flushSizeThreshold;
    private final Consumer<Duration> onFinished;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final ByteBuffer undecoded = ByteBuffer.allocate(8);
    private final List<String> events = new ArrayList<>();
    private final List<String> heldUntilSized = new ArrayList<>();
    private final ScheduledFuture<?> intervalFlush;
    private int width = DEFAULT_WIDTH;
    private int height = DEFAULT_HEIGHT;
    private boolean sized;
    /** Characters of the events waiting for a part, against {@code flushSizeThreshold}. */
    private long bufferedBytes;
    private long heldBytes;
    /** Heap those events take, against the budget of all recordings. */
    private long bufferedHeap;
    private long heldHeap;
    private int sequence;
    private boolean finished;

    /** A recorder outside the gateway's budget (the extract command's tests, playback checks): parts go to {@code output}. */
    public AsciicastRecorder(SessionInfo session, RecordingSink sink, Executor output, ScheduledExecutorService scheduler,
                             Duration flushInterval, long flushSizeThreshold, Consumer<Duration> onFinished) {
        this(session, sink, new RecordingWriter(output, new RecordingBudget(Long.MAX_VALUE)), scheduler, flushInterval,
                flushSizeThreshold, onFinished);
    }

    AsciicastRecorder(SessionInfo session, RecordingSink sink, RecordingWriter output, ScheduledExecutorService scheduler,
                      Duration flushInterval, long flushSizeThreshold, Consumer<Duration> onFinished) {
        this.session = session;
        this.sink = sink;
        this.output = output;
        this.budget = output.budget();
        this.flushSizeThreshold = flushSizeThreshold;
        this.onFinished = onFinished;
        this.sized = !session.tty();
        this.intervalFlush = scheduler.scheduleAtFixedRate(this::flushOnInterval, flushInterval.toNanos(),
                flushInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** stdout or stderr bytes from the API server. */
    public synchronized void output(ByteBuffer bytes) {
        if (finished) {
            return;
        }
        byte[] input = withUndecoded(bytes);
        int complete = completeUtf8(input);
        undecoded.put(input, complete, input.length - complete);
        if (complete == 0) {
            return;
        }
        // new String decodes a byte[] on the JDK's fast path (the relay's read-only buffers would take the
        // decoder's byte-at-a-time one); malformed bytes become U+FFFD either way.
        String event = event("o", new String(input, 0, complete, StandardCharsets.UTF_8));
        // ASCII output (nearly all of a terminal's) is ASCII once escaped: one byte a character on the heap.
        long heap = (isAscii(input, complete) ? event.length() : RecordingBudget.heapBytes(event)) + 1;
        if (sized) {
            append(event, heap);
            return;
        }
        heldUntilSized.add(event);
        heldBytes += event.length() + 1;
        heldHeap += heap;
        budget.take(heap);
        if (heldBytes >= flushSizeThreshold || budget.exhausted()) {
            // A client that never sends a size must not make the gateway hold output without bound:
            // the recording takes the default size and goes on.
            startEvents();
        }
    }

    /** A terminal size from the client. */
    public synchronized void resize(int columns, int rows) {
        if (finished || columns <= 0 || rows <= 0) {
            return;
        }
        if (!sized) {
            width = columns;
            height = rows;
            startEvents();
            return;
        }
        String event = event("r", columns + "x" + rows);
        append(event, RecordingBudget.heapBytes(event) + 1);
    }

    /** The session ended, either side first: the final part, always, once. */
    public synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        intervalFlush.cancel(false);
        String rest = flushDecoder();
        if (!rest.isEmpty()) {
            (sized ? events : heldUntilSized).add(event("o", rest));
        }
        sized = true;
        events.addAll(heldUntilSized);
        heldUntilSized.clear();
        bufferedBytes += heldBytes;
        bufferedHeap += heldHeap;
        heldBytes = 0;
        heldHeap = 0;
        emit(true);
        Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
        output.execute(() -> onFinished.accept(duration));
    }

    /** The size is known (or no longer waited for): held output becomes events, in order. */
    private void startEvents() {
        sized = true;
        List<String> held = List.copyOf(heldUntilSized);
        heldUntilSized.clear();
        // The held events move into the part buffer, which takes them from the budget again.
        budget.give(heldHeap);
        heldBytes = 0;
        heldHeap = 0;
        held.forEach(event -> append(event, RecordingBudget.heapBytes(event) + 1));
    }

    /** Run by the flush timer every {@code auditLog.flushInterval}. */
    synchronized void flushOnInterval() {
        if (!finished && !events.isEmpty()) {
            emit(false);
        }
    }

    private void append(String event, long heap) {
        events.add(event);
        bufferedBytes += event.length() + 1;
        bufferedHeap += heap;
        budget.take(heap);
        if (bufferedBytes >= flushSizeThreshold || budget.exhausted()) {
            emit(false);
        }
    }

    private void emit(boolean last) {
        String header = header();
        List<String> part = List.copyOf(events);
        long heap = bufferedHeap;
        events.clear();
        bufferedBytes = 0;
        bufferedHeap = 0;
        int number = ++sequence;
        // Joined on the writer's thread: the relay's thread only hands the events over.
        output.write(heap, () -> sink.part(session, join(header, part), number, last));
    }

    /** No empty line after a lone header: players read every line as an event and fail on an empty one. */
    private static String join(String header, List<String> events) {
        return events.isEmpty() ? header : header + "\n" + String.join("\n", events);
    }

    /** The bytes of a character split across payloads before, then {@code bytes}. */
    private byte[] withUndecoded(ByteBuffer bytes) {
        int carried = undecoded.position();
        byte[] input = new byte[carried + bytes.remaining()];
        undecoded.flip().get(input, 0, carried);
        undecoded.clear();
        bytes.duplicate().get(input, carried, input.length - carried);
        return input;
    }

    /**
     * How many of {@code input}'s bytes form whole characters: all but a UTF-8 sequence cut off at the
     * end (at most three bytes), which waits for the rest of it in the next payload.
     */
    static int completeUtf8(byte[] input) {
        int end = input.length;
        for (int back = 1; back <= Math.min(3, end); back++) {
            int b = input[end - back] & 0xFF;
            if (b < 0x80) {
                return end;
            }
            if (b >= 0xC0) {
                int sequence = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return back < sequence ? end - back : end;
            }
        }
        return end;
    }

    private static boolean isAscii(byte[] input, int length) {
        for (int i = 0; i < length; i++) {
            if (input[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private String flushDecoder() {
        if (undecoded.position() == 0) {
            return "";
        }
        String rest = new String(undecoded.array(), 0, undecoded.position(), StandardCharsets.UTF_8);
        undecoded.clear();
        return rest;
    }

    /**
     * {@code [seconds, "type", "data"]}, the data JSON-escaped once, straight into the event (no data
     * binding: this runs for every chunk of output, on the relay's thread).
     */
    private String event(String type, String data) {
        double seconds = Math.round((System.nanoTime() - startNanos) / 1e3) / 1e6;
        char[] escaped = JsonStringEncoder.getInstance().quoteAsString(data);
        return new StringBuilder(escaped.length + 32).append('[').append(seconds).append(",\"").append(type).append("\",\"")
                .append(escaped).append("\"]").toString();
    }

    private String header() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("version", 2);
        header.put("width", width);
        header.put("height", height);
        header.put("timestamp", startedAt.getEpochSecond());
        header.put("command", session.commandLine());
        header.put("user", session.user().username());
        header.put("kubernetes", Map.of("podname", session.pod(), "namespace", session.namespace(), "container", session.container()));
        return json(header);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("asciicast values are plain strings and numbers", e);
        }
    }
}
