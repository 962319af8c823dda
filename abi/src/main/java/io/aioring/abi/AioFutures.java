package io.aioring.abi;

import java.lang.foreign.MemorySegment;
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
 * Or with no iocb or user data in sight — each call writes one iocb, gives it a user data of the adapter's own
 * (from {@link #OWN_USER_DATA} up) and checks its memory before anything is submitted:
 *
 * <pre>{@code
 * MemorySegment block = arena.allocate(4096, 4096);
 * context.registerMemory(block);
 * futures.pread(fd, block, 0, TimingAttribute.ID)
 *        .thenAccept(read -> System.out.println(read.result() + " bytes in " + TimingAttribute.serviceNanos(read.view()) + " ns"));
 * }</pre>
 * It reaps the context's events on a thread of its own, so while it is
 * open it is the context's reaper in this process (another reaper would take events whose futures then never
 * complete; events of iocbs not submitted through it are dropped). One future per iocb: a multishot iocb's
 * future completes with its last event. Allocates per iocb (the future, the copy); the ring's own API does not.
 */
public final class AioFutures implements AutoCloseable {
    /**
     * One event, copied out of the ring.
     *
     * @param userData copied into the completion untouched
     * @param result bytes or a value, or -errno
     * @param flags the call's flags
     * @param opcode the opcode
     * @param event a copy of the whole event, attribute records included
     */
    public record Completion(long userData, long result, int flags, int opcode, byte[] event) {
        /** {@return a view over the copy, for the attribute records and the typed attribute readers} */
        public EventView view() {
            return new EventView().wrap(new UnsafeBuffer(event), 0, event.length);
        }
    }

    /**
     * The user data of the iocbs the adapter writes itself ({@link #pread} and the others) count up from here; keep
     * the user data of iocbs submitted with {@link #submit} below it.
     */
    public static final long OWN_USER_DATA = 1L << 62;
    /** One iocb of at most 16 attribute requests, per calling thread. */
    private static final ThreadLocal<IocbWriter> WRITERS = ThreadLocal.withInitial(() -> IocbWriter.forIocbs(1, 16));

    private final java.util.concurrent.atomic.AtomicLong nextUserData = new java.util.concurrent.atomic.AtomicLong(OWN_USER_DATA);
    private final AioContext context;
    private final ConcurrentHashMap<Long, CompletableFuture<Completion>> pending = new ConcurrentHashMap<>();
    private final Thread reaper;
    private volatile boolean closing;

    /**
     * Starts reaping {@code context}'s events on a new daemon thread.
     *
     * @param context the context whose events complete the futures
     */
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
     * @param writer the iocbs to submit
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

    /**
     * pread(2) into all of {@code buffer}: the future's {@link Completion#result()} is the bytes read, 0 at the end
     * of the file.
     *
     * @param fd         a file ({@link AioContext#openFile(java.nio.file.Path, java.nio.file.OpenOption...)})
     * @param buffer     native memory registered with the context
     * @param position   where in the file
     * @param attributes attribute ids to ask for (each without payload), e.g. {@code TimingAttribute.ID}
     * @return the iocb's future; it fails with {@link IocbFailedException} naming the errno
     * @throws IllegalArgumentException if {@code buffer} is on the heap, over 2^31-1 bytes, or not registered
     */
    public CompletableFuture<Completion> pread(final int fd, final MemorySegment buffer, final long position,
                                               final int... attributes) {
        return one(writer(attributes).pread(fd, checked(buffer), position, nextUserData.getAndIncrement()), attributes);
    }

    /**
     * pwrite(2) of all of {@code buffer}: the result is the bytes written; as {@link #pread}.
     *
     * @param fd         a file
     * @param buffer     native memory registered with the context
     * @param position   where in the file
     * @param attributes attribute ids to ask for
     * @return the iocb's future
     * @throws IllegalArgumentException as {@link #pread}
     */
    public CompletableFuture<Completion> pwrite(final int fd, final MemorySegment buffer, final long position,
                                                final int... attributes) {
        return one(writer(attributes).pwrite(fd, checked(buffer), position, nextUserData.getAndIncrement()), attributes);
    }

    /**
     * fsync(2): the result is 0.
     *
     * @param fd         a file
     * @param attributes attribute ids to ask for
     * @return the iocb's future
     */
    public CompletableFuture<Completion> fsync(final int fd, final int... attributes) {
        return one(writer(attributes).fsync(fd, nextUserData.getAndIncrement()), attributes);
    }

    /**
     * accept4(2) of one connection: the result is the new socket's descriptor, the application's to close.
     *
     * @param listener   a listening socket ({@link AioContext#listen})
     * @param attributes attribute ids to ask for
     * @return the iocb's future
     */
    public CompletableFuture<Completion> accept(final int listener, final int... attributes) {
        return one(writer(attributes).accept(listener, 0, false, nextUserData.getAndIncrement()), attributes);
    }

    /**
     * connect(2) to the address in {@code sockaddr} ({@link io.aioring.abi.net.SocketAddresses#write}): the
     * result is 0.
     *
     * @param fd         a socket ({@link AioContext#openSocket})
     * @param sockaddr   native memory registered with the context
     * @param attributes attribute ids to ask for
     * @return the iocb's future
     * @throws IllegalArgumentException as {@link #pread}, or if it is shorter than a sockaddr_in
     */
    public CompletableFuture<Completion> connect(final int fd, final MemorySegment sockaddr, final int... attributes) {
        return one(writer(attributes).connect(fd, checked(sockaddr), nextUserData.getAndIncrement()), attributes);
    }

    /**
     * recv(2) into all of {@code buffer}: the result is the bytes received, 0 when the peer has shut down.
     *
     * @param fd         a connected socket
     * @param buffer     native memory registered with the context
     * @param attributes attribute ids to ask for
     * @return the iocb's future
     * @throws IllegalArgumentException as {@link #pread}
     */
    public CompletableFuture<Completion> recv(final int fd, final MemorySegment buffer, final int... attributes) {
        return one(writer(attributes).recv(fd, checked(buffer), 0, nextUserData.getAndIncrement()), attributes);
    }

    /**
     * send(2) of all of {@code buffer}: the result is the bytes sent, perhaps fewer (send the rest again).
     *
     * @param fd         a connected socket
     * @param buffer     native memory registered with the context
     * @param attributes attribute ids to ask for
     * @return the iocb's future
     * @throws IllegalArgumentException as {@link #pread}
     */
    public CompletableFuture<Completion> send(final int fd, final MemorySegment buffer, final int... attributes) {
        return one(writer(attributes).send(fd, checked(buffer), 0, nextUserData.getAndIncrement()), attributes);
    }

    /** @return {@code buffer}, once it is known that iocbs may point at it */
    private MemorySegment checked(final MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("an iocb can only point at native memory; this segment is on the heap");
        }
        if (!context.isRegistered(buffer)) {
            throw new IllegalArgumentException("the " + buffer.byteSize() + " bytes at 0x" + Long.toHexString(buffer.address())
                + " are not registered with the context (registerMemory first): the iocb would fail with EFAULT");
        }
        return buffer;
    }

    /** @return the calling thread's one-iocb writer, emptied, once {@code attributes} are known to fit an iocb */
    private static IocbWriter writer(final int[] attributes) {
        if (attributes.length > 16) {
            throw new IllegalArgumentException(attributes.length + " attributes asked: an iocb takes at most 16");
        }
        return WRITERS.get().reset();
    }

    /** Asks for {@code attributes} on the iocb {@code writer} holds, and submits it. */
    private CompletableFuture<Completion> one(final IocbWriter writer, final int[] attributes) {
        for (final int id : attributes) {
            writer.attribute(id, 0);
        }
        return submit(writer)[0];
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
