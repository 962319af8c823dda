package io.aioring.abi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.IocbDescriptor;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * For Java callers who want a {@link CompletableFuture} per iocb: submits through the context and completes each
 * iocb's future with a copy of its event, or, when its result is -errno, fails it with an
 * {@link IocbFailedException} (an {@code IOException} naming the errno, holding the event).
 *
 * <pre>{@code
 * try (AioFutures futures = new AioFutures(context)) {
 *     CompletableFuture<AioFutures.Completion> read = futures.submit(writer.reset().pread(fd, address, 4096, 0, 1))[0];
 *     long bytes = read.get().result();   // or ExecutionException caused by IocbFailedException("pread ...: EBADF")
 * }
 * }</pre>
 * It reaps the context's events on a thread of its own, so while it is
 * open it is the context's reaper in this process (another reaper would take events whose futures then never
 * complete; events of iocbs not submitted through it are dropped). One future per iocb: a multishot iocb's
 * future completes with its last event. Allocates per iocb (the future, the copy); the ring's own API does not.
 */
public final class AioFutures implements AutoCloseable {
    /** One event, copied out of the ring. */
    public record Completion(long userData, long result, int flags, int opcode, byte[] event) {
        /** @return a view over the copy, for the attribute records and the typed attribute readers */
        public EventView view() {
            return new EventView().wrap(new UnsafeBuffer(event), 0, event.length);
        }
    }

    private final AioContext context;
    private final ConcurrentHashMap<Long, CompletableFuture<Completion>> pending = new ConcurrentHashMap<>();
    private final Thread reaper;
    private volatile boolean closing;

    /** Starts reaping {@code context}'s events on a new daemon thread. */
    public AioFutures(final AioContext context) {
        this.context = context;
        this.reaper = new Thread(this::reap, "aioring-futures");
        reaper.setDaemon(true);
        reaper.start();
    }

    /**
     * Submits the iocbs {@code writer} holds; each gets a future, keyed by its user data (which must be unique among
     * the iocbs in flight through this adapter).
     *
     * @return one future per iocb, in batch order; an iocb not accepted has its future failed with
     *         {@link IllegalStateException} naming -EBUSY or -EAGAIN
     * @throws IllegalArgumentException if a user data is already in flight here (nothing is submitted)
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Completion>[] submit(final IocbWriter writer) {
        final int count = writer.count();
        final CompletableFuture<Completion>[] futures = new CompletableFuture[count];
        final long[] userData = new long[count];
        int at = writer.offset();
        for (int i = 0; i < count; i++) {
            userData[i] = writer.buffer().getLong(at + IocbDescriptor.USER_DATA_OFFSET);
            at += writer.buffer().getInt(at + IocbDescriptor.LENGTH_OFFSET);
        }
        for (int i = 0; i < count; i++) {
            futures[i] = new CompletableFuture<>();
            if (pending.putIfAbsent(userData[i], futures[i]) != null) {
                for (int j = 0; j < i; j++) {
                    pending.remove(userData[j], futures[j]);
                }
                throw new IllegalArgumentException("user_data " + userData[i] + " is already in flight through this adapter");
            }
        }
        int accepted = 0;
        try {
            accepted = Math.max(0, context.submit(writer));
            if (accepted < count) {
                for (int i = accepted; i < count; i++) {
                    pending.remove(userData[i], futures[i]);
                    futures[i].completeExceptionally(new IllegalStateException("not accepted: the context is full (-EBUSY or -EAGAIN)"));
                }
            }
        } catch (final RuntimeException e) {
            for (int i = accepted; i < count; i++) {
                pending.remove(userData[i], futures[i]);
                futures[i].completeExceptionally(e);
            }
        }
        return futures;
    }

    private void reap() {
        final EventHandler complete = event -> {
            if ((event.flags() & EventDescriptor.FLAG_MORE) != 0) {
                return;
            }
            final CompletableFuture<Completion> future = pending.remove(event.userData());
            if (future != null) {
                final byte[] copy = new byte[event.length()];
                event.buffer().getBytes(event.index(), copy);
                final Completion completion = new Completion(event.userData(), event.result(), event.flags(), event.opcode(), copy);
                if (completion.result() < 0) {
                    future.completeExceptionally(new IocbFailedException(completion));
                } else {
                    future.complete(completion);
                }
            }
        };
        while (!closing && !context.isDestroyed()) {
            try {
                context.getevents(1, 1 << 20, 50_000_000L, complete);
            } catch (final IllegalStateException destroyed) {
                break;
            }
        }
        final IllegalStateException gone = new IllegalStateException("the adapter was closed before the iocb completed");
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
    }

    /** Stops reaping; futures still pending fail. The context stays open. */
    @Override
    public void close() {
        closing = true;
        try {
            reaper.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
