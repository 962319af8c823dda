package io.aioring.nio;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.net.Sockets;

/**
 * A socket channel's descriptor and its life, the same for a listener and a connection: open until closed; close
 * cancels what is in flight, and the descriptor itself is closed when the last operation has ended (so no iocb can
 * reach a reused fd number); then the group counts the channel out. Also the options, checked against the set the
 * channel supports.
 */
final class SocketLife {
    final int fd;
    final AioChannelGroup group;
    final SocketEngine engine;
    private final Closeable channel;
    private final Set<SocketOption<?>> options;
    /** Operations started and not yet ended. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean open = true;
    private boolean fdClosed;

    SocketLife(final int fd, final AioChannelGroup group, final Closeable channel, final Set<SocketOption<?>> options) {
        this.fd = fd;
        this.group = group;
        this.engine = group.engine();
        this.channel = channel;
        this.options = options;
    }

    /** Counts the channel into its group; closes the fd if the group refuses it (shut down). */
    void register() {
        try {
            group.register(channel);
        } catch (final RuntimeException e) {
            Sockets.close(fd);
            throw e;
        }
    }

    boolean isOpen() {
        return open;
    }

    void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    Set<SocketOption<?>> options() {
        return options;
    }

    <T> void setOption(final SocketOption<T> name, final T value) throws IOException {
        checkOption(name);
        ensureOpen();
        Sockets.setOption(fd, name, value);
    }

    <T> T getOption(final SocketOption<T> name) throws IOException {
        checkOption(name);
        ensureOpen();
        return Sockets.getOption(fd, name);
    }

    private void checkOption(final SocketOption<?> name) {
        Objects.requireNonNull(name, "name");
        if (!options.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /** Counts an operation in; false (and not counted) if the channel was closed meanwhile. */
    boolean operationStarted() {
        pending.incrementAndGet();
        if (open) {
            return true;
        }
        operationEnded();
        return false;
    }

    void operationEnded() {
        if (pending.decrementAndGet() == 0 && !open) {
            closeFd();
        }
    }

    /** An iocb was submitted: if close came in between, the one it could not see is cancelled now. */
    void submitted(final long userData) {
        if (!open) {
            engine.cancel(userData);
        }
    }

    /** Cancels what is in flight; the fd closes now if nothing is, else when the last operation ends. */
    void close() {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
        }
        engine.cancelFd(fd);
        if (pending.get() == 0) {
            closeFd();
        }
    }

    private void closeFd() {
        synchronized (this) {
            if (fdClosed) {
                return;
            }
            fdClosed = true;
        }
        Sockets.close(fd);
        group.unregister(channel);
    }
}
