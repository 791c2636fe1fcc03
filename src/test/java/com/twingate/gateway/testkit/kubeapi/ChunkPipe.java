package com.twingate.gateway.testkit.kubeapi;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.IntConsumer;

/**
 * Bytes a protocol's reader thread received for one stream (stdin, a port-forward's data), read by
 * whoever consumes that stream. Bounded, so a slow consumer slows the connection's reader down (the
 * back-pressure reaches kubectl through TCP); a consumer that stops reading closes it and later bytes
 * are dropped instead of blocking the connection.
 */
final class ChunkPipe extends InputStream {

    private static final int LIMIT = 1024 * 1024;

    private final Deque<byte[]> chunks = new ArrayDeque<>();
    private final IntConsumer consumed;
    private int buffered;
    private boolean ended;
    private boolean abandoned;
    private byte[] current = new byte[0];
    private int position;

    /** @param consumed told the size of every chunk once it has been read out (for flow-control credit) */
    ChunkPipe(IntConsumer consumed) {
        this.consumed = consumed;
    }

    ChunkPipe() {
        this(size -> { });
    }

    /** Waits while the pipe is full; returns at once when the consumer has gone. */
    synchronized void put(byte[] chunk) throws InterruptedIOException {
        while (buffered >= LIMIT && !abandoned && !ended) {
            await();
        }
        if (abandoned || ended || chunk.length == 0) {
            return;
        }
        chunks.add(chunk);
        buffered += chunk.length;
        notifyAll();
    }

    /** No more bytes: the reader sees the end once it has read what is buffered. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    @Override
    public int read() throws InterruptedIOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws InterruptedIOException {
        if (length == 0) {
            return 0;
        }
        int finished = 0;
        int n;
        synchronized (this) {
            while (position == current.length) {
                if (!chunks.isEmpty()) {
                    finished = current.length;
                    current = chunks.poll();
                    position = 0;
                    buffered -= current.length;
                    notifyAll();
                } else if (ended || abandoned) {
                    return -1;
                } else {
                    await();
                }
            }
            n = Math.min(length, current.length - position);
            System.arraycopy(current, position, into, offset, n);
            position += n;
        }
        if (finished > 0) {
            consumed.accept(finished);
        }
        return n;
    }

    @Override
    public synchronized void close() {
        abandoned = true;
        chunks.clear();
        notifyAll();
    }

    private void await() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting on a stream");
        }
    }
}
