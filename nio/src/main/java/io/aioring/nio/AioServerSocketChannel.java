package io.aioring.nio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import io.aioring.abi.net.SocketAddresses;
import io.aioring.abi.net.Sockets;
import io.aioring.linux.Errno;

/**
 * An {@link AsynchronousServerSocketChannel} whose accepts are iocbs of its group's aioring context; each accepted
 * connection is an {@link AioSocketChannel} in the same group. As the JDK's: one accept pending at a time
 * ({@link AcceptPendingException}), none before {@link #bind} ({@link NotYetBoundException}), close fails a pending
 * accept with {@link AsynchronousCloseException}, and a connection accepted once the group is shut down is closed
 * and the accept fails with an {@code IOException} caused by {@link ShutdownChannelGroupException}.
 */
public final class AioServerSocketChannel extends AsynchronousServerSocketChannel {
    private final AioChannelProvider provider;
    private final SocketLife life;
    private volatile InetSocketAddress local;
    private boolean accepting;
    private boolean acceptKilled;
    private CompletionHandler<AsynchronousSocketChannel, Object> handler;
    private Object attachment;
    private CompletableFuture<AsynchronousSocketChannel> future;
    private long userData = -1;
    private final SocketEngine.Ending onAccepted = this::accepted;
    private final PendingFuture.Canceller onCancel = this::cancelled;

    private AioServerSocketChannel(final AioChannelProvider provider, final AioChannelGroup group, final int fd) {
        super(provider);
        this.provider = provider;
        this.life = new SocketLife(fd, group, this, Sockets.LISTENER_OPTIONS);
    }

    /** A new listening-to-be socket in {@code group}. */
    static AioServerSocketChannel open(final AioChannelProvider provider, final AioChannelGroup group) throws IOException {
        final int fd = Sockets.open();
        final AioServerSocketChannel channel = new AioServerSocketChannel(provider, group, fd);
        channel.life.register();
        return channel;
    }

    @Override
    public AsynchronousServerSocketChannel bind(final SocketAddress address, final int backlog) throws IOException {
        synchronized (this) {
            ensureOpen();
            if (local != null) {
                throw new AlreadyBoundException();
            }
            final InetSocketAddress inet = address == null ? new InetSocketAddress(0) : SocketAddresses.check(address);
            Sockets.bind(life.fd, inet);
            Sockets.listen(life.fd, backlog < 1 ? 50 : backlog);
            local = Sockets.localAddress(life.fd);
        }
        return this;
    }

    @Override
    public <T> AsynchronousServerSocketChannel setOption(final SocketOption<T> name, final T value) throws IOException {
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
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    @Override
    public <A> void accept(final A attachment, final CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        start(attachment, handler);
    }

    @Override
    public Future<AsynchronousSocketChannel> accept() {
        return start(null, null);
    }

    @SuppressWarnings("unchecked")
    private <A> Future<AsynchronousSocketChannel> start(final A attachment,
                                                        final CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        if (!life.isOpen()) {
            return deliver((CompletionHandler<AsynchronousSocketChannel, Object>) handler, attachment, null, null,
                new ClosedChannelException());
        }
        if (local == null) {
            throw new NotYetBoundException();
        }
        final PendingFuture<AsynchronousSocketChannel> future = handler == null ? new PendingFuture<>(onCancel) : null;
        synchronized (this) {
            if (acceptKilled) {
                throw new IllegalStateException("Accept not allowed due to cancellation");
            }
            if (accepting) {
                throw new AcceptPendingException();
            }
            accepting = true;
            this.handler = (CompletionHandler<AsynchronousSocketChannel, Object>) handler;
            this.attachment = attachment;
            this.future = future;
        }
        if (!life.operationStarted()) {
            end(-Errno.ECANCELED, false);
            return future;
        }
        final SocketEngine.Op op = life.engine.take(onAccepted);
        synchronized (this) {
            userData = op.userData();
        }
        if (!life.engine.accept(op, life, handler != null)) {
            accepted(op, -Errno.ECANCELED);
        }
        return future;
    }

    private void accepted(final SocketEngine.Op op, final long result) {
        life.engine.release(op);
        end(result, true);
    }

    private void end(final long result, final boolean started) {
        final CompletionHandler<AsynchronousSocketChannel, Object> handler;
        final Object attachment;
        final CompletableFuture<AsynchronousSocketChannel> future;
        synchronized (this) {
            handler = this.handler;
            attachment = this.attachment;
            future = this.future;
            this.handler = null;
            this.attachment = null;
            this.future = null;
            userData = -1;
            accepting = false;
        }
        AsynchronousSocketChannel accepted = null;
        Throwable failure = null;
        if (result >= 0) {
            try {
                accepted = AioSocketChannel.accepted(provider, life.group, (int) result);
            } catch (final ShutdownChannelGroupException e) {
                Sockets.close((int) result);
                failure = new IOException(e);
            }
        } else if (result == -Errno.ECANCELED) {
            failure = life.isOpen() ? new java.util.concurrent.CancellationException() : new AsynchronousCloseException();
        } else {
            failure = Sockets.failure("accept", result);
        }
        if (started) {
            life.operationEnded();
        }
        deliver(handler, attachment, future, accepted, failure);
    }

    private Future<AsynchronousSocketChannel> deliver(final CompletionHandler<AsynchronousSocketChannel, Object> handler,
                                                      final Object attachment,
                                                      final CompletableFuture<AsynchronousSocketChannel> future,
                                                      final AsynchronousSocketChannel accepted, final Throwable failure) {
        final CompletableFuture<AsynchronousSocketChannel> told = life.group.tell(handler, attachment, future, accepted, failure);
        if (accepted != null && told != null && told.isCancelled()) {
            closeQuietly(accepted); // the future was cancelled: nobody will take this connection
        }
        return told;
    }

    private static void closeQuietly(final AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (final IOException e) {
            // nothing to tell: it was never handed out
        }
    }

    private void cancelled(final boolean mayInterruptIfRunning) {
        final long inFlight;
        synchronized (this) {
            acceptKilled = true;
            inFlight = userData;
        }
        if (mayInterruptIfRunning) {
            close();
        } else if (inFlight != -1) {
            life.engine.cancel(inFlight);
        }
    }

    @Override
    public boolean isOpen() {
        return life.isOpen();
    }

    /** Cancels a pending accept (it fails with {@link AsynchronousCloseException}); the socket closes after. */
    @Override
    public void close() {
        life.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        life.ensureOpen();
    }
}
