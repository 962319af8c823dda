package io.aioring.nio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.net.SocketAddresses;
import io.aioring.abi.net.Sockets;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * An {@link AsynchronousSocketChannel} whose connect, reads and writes are iocbs of its group's aioring context.
 * Open one as the JDK's own ({@code AsynchronousSocketChannel.open()} with {@link AioChannelProvider} installed, or
 * {@code AsynchronousSocketChannel.open(group)} with an {@link AioChannelGroup}); it keeps the JDK's contract: one
 * read and one write pending at a time ({@link ReadPendingException}, {@link WritePendingException}), a timeout
 * fails the operation with {@link InterruptedByTimeoutException} and leaves that direction unusable, close fails
 * what is pending with {@link AsynchronousCloseException}, a failed connect closes the channel. A read returns at
 * most {@value SocketEngine#SLOT_BYTES} bytes and a write writes at most that many (fewer than asked is a socket's
 * normal answer).
 */
public final class AioSocketChannel extends AsynchronousSocketChannel {
    private static final int UNCONNECTED = 0;
    private static final int CONNECTING = 1;
    private static final int CONNECTED = 2;

    private final SocketLife life;
    private final Object stateLock = new Object();
    private final Transfer reads = new Transfer(true);
    private final Transfer writes = new Transfer(false);
    private final Connecting connecting = new Connecting();
    private volatile int state;
    private InetSocketAddress local;
    private volatile InetSocketAddress remote;

    private AioSocketChannel(final AioChannelProvider provider, final AioChannelGroup group, final int fd) {
        super(provider);
        this.life = new SocketLife(fd, group, this, Sockets.STREAM_OPTIONS);
    }

    /** A new unconnected socket in {@code group}. */
    static AioSocketChannel open(final AioChannelProvider provider, final AioChannelGroup group) throws IOException {
        final int fd = Sockets.open();
        final AioSocketChannel channel = new AioSocketChannel(provider, group, fd);
        channel.life.register();
        return channel;
    }

    /**
     * A socket an accept gave, in {@code group}.
     *
     * @throws java.nio.channels.ShutdownChannelGroupException if the group is shut down
     */
    static AioSocketChannel accepted(final AioChannelProvider provider, final AioChannelGroup group, final int fd) {
        final AioSocketChannel channel = new AioSocketChannel(provider, group, fd);
        channel.life.register();
        channel.state = CONNECTED;
        try {
            channel.local = Sockets.localAddress(fd);
            channel.remote = Sockets.remoteAddress(fd);
        } catch (final IOException peerGone) {
            // reset before it was looked at: its reads and writes will say so
        }
        return channel;
    }

    @Override
    public AsynchronousSocketChannel bind(final SocketAddress address) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state == CONNECTING) {
                throw new ConnectionPendingException();
            }
            if (local != null) {
                throw new AlreadyBoundException();
            }
            final InetSocketAddress inet = address == null ? new InetSocketAddress(0) : SocketAddresses.check(address);
            Sockets.bind(life.fd, inet);
            local = Sockets.localAddress(life.fd);
        }
        return this;
    }

    @Override
    public <T> AsynchronousSocketChannel setOption(final SocketOption<T> name, final T value) throws IOException {
        life.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(final SocketOption<T> name) throws IOException {
        return life.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return life.options();
    }

    @Override
    public AsynchronousSocketChannel shutdownInput() throws IOException {
        reads.shut(Linux.SHUT_RD);
        return this;
    }

    @Override
    public AsynchronousSocketChannel shutdownOutput() throws IOException {
        writes.shut(Linux.SHUT_WR);
        return this;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return local;
        }
    }

    @Override
    public <A> void connect(final SocketAddress address, final A attachment, final CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        connecting.start(address, attachment, handler);
    }

    @Override
    public Future<Void> connect(final SocketAddress address) {
        return connecting.start(address, null, null);
    }

    @Override
    public <A> void read(final ByteBuffer dst, final long timeout, final TimeUnit unit, final A attachment,
                         final CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        checkWritable(dst);
        reads.start(dst, null, timeout, unit, attachment, handler);
    }

    @Override
    public Future<Integer> read(final ByteBuffer dst) {
        checkWritable(dst);
        return reads.start(dst, null, 0, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void read(final ByteBuffer[] dsts, final int offset, final int length, final long timeout, final TimeUnit unit,
                         final A attachment, final CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        final ByteBuffer[] buffers = subsequence(dsts, offset, length);
        for (final ByteBuffer buffer : buffers) {
            checkWritable(buffer);
        }
        reads.start(null, buffers, timeout, unit, attachment, handler);
    }

    @Override
    public <A> void write(final ByteBuffer src, final long timeout, final TimeUnit unit, final A attachment,
                          final CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(src, "src");
        writes.start(src, null, timeout, unit, attachment, handler);
    }

    @Override
    public Future<Integer> write(final ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        return writes.start(src, null, 0, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void write(final ByteBuffer[] srcs, final int offset, final int length, final long timeout, final TimeUnit unit,
                          final A attachment, final CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        writes.start(null, subsequence(srcs, offset, length), timeout, unit, attachment, handler);
    }

    private static void checkWritable(final ByteBuffer buffer) {
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    private static ByteBuffer[] subsequence(final ByteBuffer[] buffers, final int offset, final int length) {
        if (offset < 0 || length < 0 || offset > buffers.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + buffers.length);
        }
        final ByteBuffer[] sequence = new ByteBuffer[length];
        for (int i = 0; i < length; i++) {
            sequence[i] = Objects.requireNonNull(buffers[offset + i], "a buffer is null");
        }
        return sequence;
    }

    @Override
    public boolean isOpen() {
        return life.isOpen();
    }

    /** Cancels what is in flight (each fails with {@link AsynchronousCloseException}); the socket closes after. */
    @Override
    public void close() {
        life.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        life.ensureOpen();
    }

    private <V, A> Future<V> deliver(final CompletionHandler<V, ? super A> handler, final A attachment,
                                     final CompletableFuture<V> future, final V value, final Throwable failure) {
        return life.group.tell(handler, attachment, future, value, failure);
    }

    /** One direction: its pending operation (at most one), and whether it is shut or was killed by a timeout. */
    private final class Transfer implements SocketEngine.Ending, PendingFuture.Canceller {
        private final boolean read;
        private boolean busy;
        private boolean killed;
        private boolean shut;
        private ByteBuffer single;
        private ByteBuffer[] many;
        private CompletionHandler<Object, Object> handler;
        private Object attachment;
        private CompletableFuture<Object> future;
        private long userData = -1;

        Transfer(final boolean read) {
            this.read = read;
        }

        @SuppressWarnings("unchecked")
        <V, A> Future<V> start(final ByteBuffer single, final ByteBuffer[] many, final long timeout, final TimeUnit unit,
                               final A attachment, final CompletionHandler<V, ? super A> handler) {
            Objects.requireNonNull(unit, "unit");
            final boolean sequence = many != null;
            if (!life.isOpen()) {
                return deliver(handler, attachment, null, null, new ClosedChannelException());
            }
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            final long remaining = Buffers.remaining(single, many);
            final PendingFuture<V> future = handler == null && remaining > 0 ? new PendingFuture<>(this) : null;
            final boolean wasShut;
            synchronized (this) {
                if (killed) {
                    throw new IllegalStateException((read ? "Reading" : "Writing") + " not allowed due to timeout or cancellation");
                }
                if (busy) {
                    throw read ? new ReadPendingException() : new WritePendingException();
                }
                wasShut = shut;
                if (!shut && remaining > 0) {
                    busy = true;
                    this.single = single;
                    this.many = many;
                    this.handler = (CompletionHandler<Object, Object>) handler;
                    this.attachment = attachment;
                    this.future = (CompletableFuture<Object>) future;
                }
            }
            if (wasShut && !read) {
                return deliver(handler, attachment, null, null, new ClosedChannelException());
            }
            if (wasShut || remaining == 0) {
                final Object value = sequence ? (Object) (wasShut ? -1L : 0L) : (Object) (wasShut ? -1 : 0);
                return deliver(handler, attachment, null, (V) value, null);
            }
            if (!life.operationStarted()) {
                end(-Errno.ECANCELED, 0);
                return future;
            }
            final SocketEngine.Op op = life.engine.take(this);
            final int length = (int) Math.min(remaining, SocketEngine.SLOT_BYTES);
            if (!read) {
                Buffers.gather(op.view, length, single, many);
            }
            final long millis = Buffers.timeoutMillis(timeout, unit);
            synchronized (this) {
                userData = op.userData();
            }
            final boolean mayDefer = handler != null;
            final boolean submitted = read ? life.engine.recv(op, life, length, millis, mayDefer)
                : life.engine.send(op, life, length, millis, mayDefer);
            if (!submitted) {
                ended(op, -Errno.ECANCELED); // the group ended under it
            }
            return future;
        }

        @Override
        public void ended(final SocketEngine.Op op, final long result) {
            if (result > 0) {
                synchronized (this) {
                    if (read) {
                        Buffers.scatter(op.view, (int) result, single, many);
                    } else {
                        Buffers.advance(result, single, many);
                    }
                }
            }
            life.engine.release(op);
            end(result, 1);
        }

        /** Tells the outcome; {@code started} is 1 if the operation was counted in. */
        private void end(final long result, final int started) {
            final CompletionHandler<Object, Object> handler;
            final Object attachment;
            final CompletableFuture<Object> future;
            final boolean sequence;
            synchronized (this) {
                handler = this.handler;
                attachment = this.attachment;
                future = this.future;
                sequence = many != null;
                this.single = null;
                this.many = null;
                this.handler = null;
                this.attachment = null;
                this.future = null;
                userData = -1;
                busy = false;
                if (result == -Errno.ETIME) {
                    killed = true;
                }
            }
            if (started == 1) {
                life.operationEnded();
            }
            final Throwable failure = result >= 0 ? null : failure(result);
            final long value = read && result == 0 ? -1 : result;
            deliver(handler, attachment, future, failure != null ? null : sequence ? (Object) value : (Object) (int) value, failure);
        }

        private Throwable failure(final long result) {
            if (result == -Errno.ETIME) {
                return new InterruptedByTimeoutException();
            }
            if (result == -Errno.ECANCELED) {
                return life.isOpen() ? new CancellationException() : new AsynchronousCloseException();
            }
            return Sockets.failure(read ? "recv" : "send", result);
        }

        @Override
        public void cancelled(final boolean mayInterruptIfRunning) {
            final long inFlight;
            synchronized (this) {
                killed = true;
                inFlight = userData;
            }
            if (mayInterruptIfRunning) {
                close();
            } else if (inFlight != -1) {
                life.engine.cancel(inFlight);
            }
        }

        void shut(final int how) throws IOException {
            ensureOpen();
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            synchronized (this) {
                if (!shut) {
                    Sockets.shutdown(life.fd, how);
                    shut = true;
                }
            }
        }
    }

    /** The connect: at most one, and only on an unconnected channel. */
    private final class Connecting implements SocketEngine.Ending, PendingFuture.Canceller {
        private InetSocketAddress target;
        private CompletionHandler<Void, Object> handler;
        private Object attachment;
        private CompletableFuture<Void> future;

        @SuppressWarnings("unchecked")
        <A> Future<Void> start(final SocketAddress address, final A attachment, final CompletionHandler<Void, ? super A> handler) {
            if (!life.isOpen()) {
                return deliver(handler, attachment, null, null, new ClosedChannelException());
            }
            final InetSocketAddress inet = SocketAddresses.check(address);
            final PendingFuture<Void> future = handler == null ? new PendingFuture<>(this) : null;
            synchronized (stateLock) {
                if (state == CONNECTED) {
                    throw new AlreadyConnectedException();
                }
                if (state == CONNECTING) {
                    throw new ConnectionPendingException();
                }
                state = CONNECTING;
                this.target = inet;
                this.handler = (CompletionHandler<Void, Object>) handler;
                this.attachment = attachment;
                this.future = future;
            }
            if (!life.operationStarted()) {
                end(-Errno.ECANCELED);
                return future;
            }
            final SocketEngine.Op op = life.engine.take(this);
            final int length;
            try {
                length = SocketAddresses.write(inet, op.slot);
                Sockets.blocking(life.fd, false);
            } catch (final RuntimeException | IOException e) {
                life.engine.release(op);
                synchronized (stateLock) {
                    state = UNCONNECTED;
                }
                life.operationEnded();
                if (e instanceof RuntimeException unchecked) {
                    throw unchecked; // UnsupportedAddressTypeException: an IPv6 address on a machine without IPv6
                }
                return deliver(handler, attachment, future, null, e);
            }
            if (!life.engine.connect(op, life, length, handler != null)) {
                ended(op, -Errno.ECANCELED);
            }
            return future;
        }

        @Override
        public void ended(final SocketEngine.Op op, final long result) {
            life.engine.release(op);
            end(result);
            life.operationEnded();
        }

        private void end(final long result) {
            final CompletionHandler<Void, Object> handler;
            final Object attachment;
            final CompletableFuture<Void> future;
            Throwable failure = null;
            synchronized (stateLock) {
                handler = this.handler;
                attachment = this.attachment;
                future = this.future;
                this.handler = null;
                this.attachment = null;
                this.future = null;
                if (result == 0 && life.isOpen()) {
                    state = CONNECTED;
                    remote = target;
                    try {
                        Sockets.blocking(life.fd, true);
                        local = Sockets.localAddress(life.fd);
                    } catch (final IOException e) {
                        failure = e;
                    }
                } else {
                    state = UNCONNECTED;
                    failure = result == 0 || result == -Errno.ECANCELED && !life.isOpen() ? new AsynchronousCloseException()
                        : Sockets.failure("connect", result);
                }
            }
            if (failure != null) {
                close(); // as the JDK's: a connect that failed leaves the channel closed
            }
            deliver(handler, attachment, future, null, failure);
        }

        @Override
        public void cancelled(final boolean mayInterruptIfRunning) {
            close();
        }
    }
}
