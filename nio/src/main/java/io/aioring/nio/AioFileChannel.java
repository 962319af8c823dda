package io.aioring.nio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.OpenFlags;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * An {@link AsynchronousFileChannel} whose reads and writes are iocbs of an aioring context: the kernel (io_uring)
 * or the engine's workers make them, and the completion comes back through the context's ring. Open one as the
 * JDK's own, with {@link #open(Path, OpenOption...)}:
 *
 * <pre>{@code
 * try (AsynchronousFileChannel channel = AioFileChannel.open(path, StandardOpenOption.READ)) {
 *     ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
 *     int n = channel.read(buffer, 0).get();
 * }
 * }</pre>
 *
 * <p>As the JDK's: a handler runs on the channel's executor (the one given to {@code open}, else a default pool of
 * daemon threads); a {@code Future} completes on the engine's reaper thread. A direct buffer is read into and
 * written from in place, in one iocb; a heap buffer's bytes are copied through a slot of the engine's, so a read
 * into one returns at most {@value ChannelEngine#SLOT_BYTES} bytes (fewer than the buffer holds is a read's normal
 * answer) and a write writes its whole buffer in pieces of that size. On a channel opened with
 * {@code ExtendedOpenOption.DIRECT}, a direct buffer not aligned to 4096 goes through a slot too (slots are
 * aligned), so any buffer works where position and length suit the device. Locks are POSIX record locks
 * ({@code fcntl}), the kind the JDK's own {@code FileChannel} takes: they conflict with those of other processes,
 * and, within this JVM, an overlapping lock is refused with {@link OverlappingFileLockException}. Closing the
 * channel cancels what is in flight; each such operation fails with {@link AsynchronousCloseException}.
 */
public final class AioFileChannel extends AsynchronousFileChannel {
    /** The default pool of a channel opened without an executor: daemon threads, as the JDK's. */
    private static final class DefaultPool {
        static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
            final Thread thread = new Thread(task, "aioring-nio-handler");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * How one operation is told its outcome: a future, a handler with its attachment, or a report future; and, for
     * a report, what the events' attributes said (summed over a write's pieces).
     */
    static final class Completion {
        final CompletableFuture<Integer> future;
        final CompletionHandler<Integer, Object> handler;
        final Object attachment;
        final CompletableFuture<OperationReport> report;
        long queueNanos;
        long serviceNanos;
        int pageCache = -1;
        int path = -1;
        int cpu = -1;

        @SuppressWarnings("unchecked")
        Completion(final CompletableFuture<Integer> future, final CompletionHandler<Integer, ?> handler, final Object attachment) {
            this.future = future;
            this.handler = (CompletionHandler<Integer, Object>) handler;
            this.attachment = attachment;
            this.report = null;
        }

        Completion(final CompletableFuture<OperationReport> report) {
            this.future = null;
            this.handler = null;
            this.attachment = null;
            this.report = report;
        }

        OperationReport report(final int bytes) {
            return new OperationReport(bytes, Duration.ofNanos(queueNanos), Duration.ofNanos(serviceNanos),
                pageCache == PageCacheAttribute.HIT ? OperationReport.PageCache.HIT
                    : pageCache == PageCacheAttribute.PARTIAL ? OperationReport.PageCache.PARTIAL
                    : pageCache == PageCacheAttribute.MISS ? OperationReport.PageCache.MISS : OperationReport.PageCache.UNKNOWN,
                path == PathAttribute.INLINE ? OperationReport.ExecutionPath.INLINE
                    : path == PathAttribute.ASYNC ? OperationReport.ExecutionPath.ASYNC
                    : path == PathAttribute.WORKER ? OperationReport.ExecutionPath.WORKER : OperationReport.ExecutionPath.UNKNOWN,
                cpu);
        }
    }

    private final ChannelEngine engine;
    private final Path path;
    private final int fd;
    private final boolean readable;
    private final boolean writable;
    private final boolean deleteOnClose;
    /** Opened with O_DIRECT: its reads and writes skip the page-cache attempt on the submitting thread. */
    private final boolean direct;
    private final ExecutorService executor;
    private final FileLocks.FileKey key;
    /** Operations started and not yet completed; the fd is closed when the last one of a closed channel ends. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean open = true;
    private final LockWaits lockWaits = new LockWaits();
    private boolean fdClosed;

    private AioFileChannel(final ChannelEngine engine, final Path path, final int fd, final boolean readable,
                           final boolean writable, final boolean deleteOnClose, final boolean direct,
                           final ExecutorService executor,
                           final FileLocks.FileKey key) {
        this.engine = engine;
        this.path = path;
        this.fd = fd;
        this.readable = readable;
        this.writable = writable;
        this.deleteOnClose = deleteOnClose;
        this.direct = direct;
        this.executor = executor;
        this.key = key;
    }

    /**
     * As {@link AsynchronousFileChannel#open(Path, OpenOption...)}, on the shared engine.
     *
     * @param path    the file
     * @param options READ when neither READ nor WRITE is given; APPEND is refused, as by the JDK
     * @return the channel
     * @throws IOException as the JDK's: {@link java.nio.file.NoSuchFileException} and the like
     */
    public static AioFileChannel open(final Path path, final OpenOption... options) throws IOException {
        return open(path, Set.of(options), null);
    }

    /**
     * As {@link AsynchronousFileChannel#open(Path, Set, ExecutorService, FileAttribute...)}, on the shared engine.
     *
     * @param path       the file
     * @param options    as {@link #open(Path, OpenOption...)}
     * @param executor   where completion handlers run; null for the default pool
     * @param attributes a created file's POSIX permissions, the only attribute taken
     * @return the channel
     * @throws UnsupportedOperationException for APPEND (as the JDK's), or an option or attribute it does not know
     * @throws IOException as the JDK's: {@link java.nio.file.NoSuchFileException} and the like
     */
    public static AioFileChannel open(final Path path, final Set<? extends OpenOption> options, final ExecutorService executor,
                                      final FileAttribute<?>... attributes) throws IOException {
        return open(ChannelEngine.shared(), path, options, executor, attributes);
    }

    static AioFileChannel open(final ChannelEngine engine, final Path path, final Set<? extends OpenOption> options,
                               final ExecutorService executor, final FileAttribute<?>... attributes) throws IOException {
        final int flags = OpenFlags.of(options);
        final boolean write = (flags & Linux.O_ACCMODE) != Linux.O_RDONLY;
        final boolean read = (flags & Linux.O_ACCMODE) != Linux.O_WRONLY;
        final int mode = mode(attributes);
        final int fd;
        final FileLocks.FileKey key;
        try (Arena scratch = Arena.ofConfined()) {
            final Errno errno = new Errno(scratch);
            fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(scratch, path.toString()).address(), flags, mode);
            if (fd < 0) {
                throw OpenFlags.failure(path, fd);
            }
            key = FileLocks.key(errno, fd, scratch);
        }
        return new AioFileChannel(engine, path, fd, read, write, options.contains(StandardOpenOption.DELETE_ON_CLOSE),
            (flags & Linux.O_DIRECT) != 0, executor != null ? executor : DefaultPool.POOL, key);
    }

    private static int mode(final FileAttribute<?>... attributes) {
        int mode = 0666;
        for (final FileAttribute<?> attribute : attributes) {
            if (!attribute.name().equals("posix:permissions") && !attribute.name().equals("unix:permissions")) {
                throw new UnsupportedOperationException("'" + attribute.name() + "' not supported as initial attribute");
            }
            mode = 0;
            for (final Object permission : (Set<?>) attribute.value()) {
                mode |= 0400 >> ((PosixFilePermission) permission).ordinal();
            }
        }
        return mode;
    }

    int fd() {
        return fd;
    }

    boolean direct() {
        return direct;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment statx = scratch.allocate(Linux.STATX_SIZE, 8);
            final int r = Linux.fstatx(new Errno(scratch), fd, Linux.STATX_MASK_SIZE, statx);
            if (r < 0) {
                throw new IOException(ChannelEngine.describe("statx", r));
            }
            return statx.get(ValueLayout.JAVA_LONG, Linux.STATX_SIZE_OFFSET);
        }
    }

    @Override
    public AsynchronousFileChannel truncate(final long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("negative size: " + size);
        }
        ensureOpen();
        if (!writable) {
            throw new NonWritableChannelException();
        }
        if (size < size()) {
            final int r = Linux.ftruncate(new Errno(), fd, size);
            if (r < 0) {
                throw new IOException(ChannelEngine.describe("ftruncate", r));
            }
        }
        return this;
    }

    @Override
    public void force(final boolean metaData) throws IOException {
        ensureOpen();
        final int r = metaData ? Linux.fsync(new Errno(), fd) : Linux.fdatasync(new Errno(), fd);
        if (r < 0) {
            throw new IOException(ChannelEngine.describe(metaData ? "fsync" : "fdatasync", r));
        }
    }

    @Override
    public <A> void lock(final long position, final long size, final boolean shared, final A attachment,
                         final CompletionHandler<FileLock, ? super A> handler) {
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        lockLater(position, size, shared, attachment, handler, null);
    }

    @Override
    public Future<FileLock> lock(final long position, final long size, final boolean shared) {
        final CompletableFuture<FileLock> future = new CompletableFuture<>();
        lockLater(position, size, shared, null, null, future);
        return future;
    }

    /** A blocking lock (F_SETLKW) taken on the channel's executor; closing the channel ends its wait. */
    private <A> void lockLater(final long position, final long size, final boolean shared, final A attachment,
                               final CompletionHandler<FileLock, ? super A> handler, final CompletableFuture<FileLock> future) {
        checkLock(position, size, shared);
        if (!open) {
            deliverLock(handler, attachment, future, null, new ClosedChannelException());
            return;
        }
        final FileLocks.Lock lock = FileLocks.reserve(key, this, position, size, shared); // OverlappingFileLockException
        pending.incrementAndGet();
        try {
            executor.execute(() -> {
                Throwable failure = null;
                try {
                    if (!lockWaits.await(fd, lock, () -> !open)) {
                        failure = new AsynchronousCloseException();
                    }
                } catch (final IOException e) {
                    failure = e;
                }
                if (failure == null && !open) {
                    FileLocks.release(fd, lock);
                    failure = new AsynchronousCloseException();
                }
                if (failure != null) {
                    FileLocks.forget(key, lock);
                }
                operationEnded();
                if (handler != null) {
                    invoke(handler, attachment, failure == null ? lock : null, failure);
                } else if (failure == null) {
                    future.complete(lock);
                } else {
                    future.completeExceptionally(failure);
                }
            });
        } catch (final RejectedExecutionException e) {
            FileLocks.forget(key, lock);
            operationEnded();
            throw new java.nio.channels.ShutdownChannelGroupException();
        }
    }

    private <A> void deliverLock(final CompletionHandler<FileLock, ? super A> handler, final A attachment,
                                 final CompletableFuture<FileLock> future, final FileLock lock, final Throwable failure) {
        if (handler != null) {
            runOnExecutor(() -> invoke(handler, attachment, lock, failure));
        } else if (failure == null) {
            future.complete(lock);
        } else {
            future.completeExceptionally(failure);
        }
    }

    private static <V, A> void invoke(final CompletionHandler<V, ? super A> handler, final A attachment, final V value,
                                      final Throwable failure) {
        if (failure == null) {
            handler.completed(value, attachment);
        } else {
            handler.failed(failure, attachment);
        }
    }

    @Override
    public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException {
        checkLock(position, size, shared);
        ensureOpen();
        final FileLocks.Lock lock = FileLocks.reserve(key, this, position, size, shared);
        try {
            if (!FileLocks.take(fd, lock, Linux.F_SETLK)) {
                FileLocks.forget(key, lock);
                return null; // another process holds it
            }
        } catch (final IOException e) {
            FileLocks.forget(key, lock);
            throw e;
        }
        return lock;
    }

    private void checkLock(final long position, final long size, final boolean shared) {
        if (position < 0 || size < 0 || position + size < 0) {
            throw new IllegalArgumentException("negative position or size, or position + size overflows");
        }
        if (shared && !readable) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writable) {
            throw new NonWritableChannelException();
        }
    }

    @Override
    public <A> void read(final ByteBuffer dst, final long position, final A attachment,
                         final CompletionHandler<Integer, ? super A> handler) {
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        transfer(dst, position, true, new Completion(null, handler, attachment));
    }

    @Override
    public Future<Integer> read(final ByteBuffer dst, final long position) {
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        transfer(dst, position, true, new Completion(future, null, null));
        return future;
    }

    /**
     * Reads as {@link #read(ByteBuffer, long)} does, and reports how the read went: its bytes (-1 at the end of the
     * file), its queue and service times, whether the page cache held the bytes, how the call ran and on which CPU.
     * A latency histogram split by page-cache hit and miss:
     *
     * <pre>{@code
     * channel.readAndReport(buffer, position).thenAccept(r ->
     *     (r.pageCache() == OperationReport.PageCache.HIT ? hits : misses).recordValue(r.serviceTime().toNanos()));
     * }</pre>
     *
     * The future fails as {@link #read(ByteBuffer, long)}'s does (an {@code IOException} naming the errno).
     *
     * @param dst      where the bytes go
     * @param position where in the file
     * @return the report's future
     * @throws UnsupportedOperationException if the channel's context was set up without the timing, page-cache and
     *                                       path attributes (the {@code aioring-attributes} jar is missing)
     */
    public CompletableFuture<OperationReport> readAndReport(final ByteBuffer dst, final long position) {
        final CompletableFuture<OperationReport> report = new CompletableFuture<>();
        engine.checkReports();
        transfer(dst, position, true, new Completion(report));
        return report;
    }

    /**
     * Writes as {@link #write(ByteBuffer, long)} does, and reports how it went, as {@link #readAndReport}.
     *
     * @param src      the bytes to write
     * @param position where in the file
     * @return the report's future
     * @throws UnsupportedOperationException as {@link #readAndReport}
     */
    public CompletableFuture<OperationReport> writeAndReport(final ByteBuffer src, final long position) {
        final CompletableFuture<OperationReport> report = new CompletableFuture<>();
        engine.checkReports();
        transfer(src, position, false, new Completion(report));
        return report;
    }

    @Override
    public <A> void write(final ByteBuffer src, final long position, final A attachment,
                          final CompletionHandler<Integer, ? super A> handler) {
        if (handler == null) {
            throw new NullPointerException("handler");
        }
        transfer(src, position, false, new Completion(null, handler, attachment));
    }

    @Override
    public Future<Integer> write(final ByteBuffer src, final long position) {
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        transfer(src, position, false, new Completion(future, null, null));
        return future;
    }

    private void transfer(final ByteBuffer buffer, final long position, final boolean read, final Completion completion) {
        if (buffer == null) {
            throw new NullPointerException("buffer");
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (read && buffer.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        if (read && !readable) {
            throw new NonReadableChannelException();
        }
        if (!read && !writable) {
            throw new NonWritableChannelException();
        }
        if (!open) {
            deliver(completion, 0, new ClosedChannelException());
            return;
        }
        if (!buffer.hasRemaining()) {
            deliver(completion, 0, null); // nothing to move: as the JDK, 0 at once
            return;
        }
        pending.incrementAndGet();
        engine.start(this, buffer, position, read, completion);
    }

    /** From the reaper: the operation ended with {@code result} bytes, or -errno. */
    void completed(final Completion completion, final long result, final String call) {
        operationEnded();
        if (!open) {
            deliver(completion, 0, new AsynchronousCloseException());
        } else if (result < 0) {
            deliver(completion, 0, new IOException(ChannelEngine.describe(call, result)));
        } else {
            // A read at or past the end of the file: -1, as the JDK's (pread's 0 with room left in the buffer).
            deliver(completion, result == 0 && "read".equals(call) ? -1 : (int) result, null);
        }
    }

    /** From the engine: the operation could not be submitted. */
    void failed(final Completion completion, final RuntimeException failure) {
        operationEnded();
        deliver(completion, 0, new IOException(failure.getMessage(), failure));
    }

    private void deliver(final Completion completion, final int result, final Throwable failure) {
        if (completion.report != null) {
            if (failure == null) {
                completion.report.complete(completion.report(result));
            } else {
                completion.report.completeExceptionally(failure);
            }
            return;
        }
        if (completion.future != null) {
            if (failure == null) {
                completion.future.complete(result);
            } else {
                completion.future.completeExceptionally(failure);
            }
            return;
        }
        runOnExecutor(() -> invoke(completion.handler, completion.attachment, result, failure));
    }

    private void runOnExecutor(final Runnable task) {
        try {
            executor.execute(task);
        } catch (final RejectedExecutionException e) {
            // The executor was shut down: no thread of it may run the handler (as the JDK's: dropped).
        }
    }

    private void operationEnded() {
        if (pending.decrementAndGet() == 0 && !open) {
            closeDescriptor();
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
        }
        FileLocks.releaseAll(key, this, fd);
        lockWaits.endAll();
        engine.cancel(fd);
        if (pending.get() == 0) {
            closeDescriptor();
        }
        if (deleteOnClose) {
            java.nio.file.Files.deleteIfExists(path);
        }
    }

    /** Once nothing of this channel is in flight: a later fd with the same number is never reached by it. */
    private synchronized void closeDescriptor() {
        if (!fdClosed) {
            fdClosed = true;
            Linux.close(new Errno(), fd);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
