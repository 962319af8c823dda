package io.aioring.abi.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.aioring.linux.Errno;
import io.aioring.linux.FdPassing;
import io.aioring.linux.Linux;

/**
 * Serves the context's eventfd to other processes of the same user: listens on a Unix socket (mode 0600) and sends
 * each connection whose peer credentials (SO_PEERCRED) are this user's, or root's, a copy of the descriptor
 * (SCM_RIGHTS) with one byte that says whether the connection is kept open until destroy (a liveness channel) or
 * closed at once (past {@link #MAX_KEPT}). The socket's path is published in the ring header.
 */
final class EventfdServer implements AutoCloseable {
    private final Path path;
    private final int listener;
    private final int eventfd;
    private final Thread thread;
    /** The context's own descriptors: the listener and every connection are among them while open. */
    private final OwnDescriptors own;
    private volatile boolean closing;
    /** Connections served and kept open, one per reaper that took the eventfd. */
    private final org.agrona.collections.IntArrayList kept = new org.agrona.collections.IntArrayList();
    private final java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
    /** One pollfd per kept connection: one poll(2) finds every reaper that hung up (was one call per connection). */
    private java.lang.foreign.MemorySegment pollfds;
    /** The most connections kept open at once; past it a reaper gets the eventfd and no liveness channel. */
    static final int MAX_KEPT = 4096;
    private final int maxKept;

    EventfdServer(final Path path, final int eventfd, final String name, final OwnDescriptors own) throws IOException {
        this(path, eventfd, name, own, MAX_KEPT);
    }

    EventfdServer(final Path path, final int eventfd, final String name, final OwnDescriptors own, final int maxKept)
        throws IOException {
        this.maxKept = maxKept;
        this.path = path;
        this.eventfd = eventfd;
        this.own = own;
        Files.deleteIfExists(path);
        this.listener = FdPassing.listen(path);
        own.add(listener);
        this.thread = EngineThreads.daemon(name + "-eventfd-server", this::serve);
        thread.start();
    }

    Path path() {
        return path;
    }

    int listener() {
        return listener;
    }

    private void serve() {
        final Errno errno = new Errno();
        while (!closing) {
            final int connection = FdPassing.accept(errno, listener);
            if (connection < 0) {
                if (closing || connection != -Errno.EINTR) {
                    return;
                }
                continue;
            }
            own.add(connection);
            try {
                // Only this user (or root) gets the eventfd: the socket's mode already keeps others from connecting,
                // and its path is in a shared directory, so the peer's credentials are checked too.
                final long peer = FdPassing.peerUid(connection);
                final boolean allowed = peer == Integer.toUnsignedLong(Linux.geteuid()) || peer == 0;
                if (allowed) {
                    // Kept open until destroy, the reaper's liveness channel (docs/abi.md 2.9); its byte says which.
                    final boolean kept = keep(connection, errno);
                    try {
                        FdPassing.send(connection, eventfd, kept ? FdPassing.KEPT : FdPassing.NOT_KEPT);
                    } catch (final IOException e) {
                        if (kept) {
                            unkeep(connection);
                        }
                        throw e;
                    }
                    if (kept) {
                        continue;
                    }
                }
            } catch (final IOException e) {
                // The client went away before taking it; it can connect again.
            }
            closeOwn(errno, connection);
        }
    }

    /**
     * Keeps a served connection open, first closing those whose reaper has gone (so the list stays as long as the
     * reapers alive), up to {@code maxKept} ({@link #MAX_KEPT}).
     *
     * @return true if it is kept
     */
    private boolean keep(final int connection, final Errno errno) {
        synchronized (kept) {
            final int count = kept.size();
            if (count > 0) {
                if (pollfds == null) {
                    pollfds = arena.allocate((long) Linux.POLLFD_SIZE * maxKept, 8);
                }
                for (int i = 0; i < count; i++) {
                    final long at = (long) i * Linux.POLLFD_SIZE;
                    pollfds.set(java.lang.foreign.ValueLayout.JAVA_INT, at, kept.getInt(i));
                    pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, at + 4, (short) (Linux.POLLIN | Linux.POLLRDHUP));
                    pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, at + 6, (short) 0);
                }
                // A reaper's end is readable or hung up (it sends nothing): those are closed, the rest kept.
                if (Linux.poll(errno, pollfds.address(), count, 0) > 0) {
                    for (int i = count - 1; i >= 0; i--) {
                        if (pollfds.get(java.lang.foreign.ValueLayout.JAVA_SHORT, (long) i * Linux.POLLFD_SIZE + 6) != 0) {
                            closeOwn(errno, kept.removeAt(i));
                        }
                    }
                }
            }
            if (closing || kept.size() >= maxKept) {
                return false;
            }
            kept.addInt(connection);
            return true;
        }
    }

    private void unkeep(final int connection) {
        synchronized (kept) {
            final int at = kept.indexOf(connection);
            if (at >= 0) {
                kept.removeAt(at);
            }
        }
    }

    /** Out of the context's own descriptors first: once closed, its number may be the program's next file. */
    private void closeOwn(final Errno errno, final int fd) {
        own.remove(fd);
        Linux.close(errno, fd);
    }

    @Override
    public void close() {
        closing = true;
        final Errno errno = new Errno();
        Linux.shutdown(errno, listener, Linux.SHUT_RDWR);
        try {
            thread.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (kept) {
            // Reapers see their connection end: the engine is done with this ring.
            for (int i = 0; i < kept.size(); i++) {
                closeOwn(errno, kept.getInt(i));
            }
            kept.clear();
        }
        closeOwn(errno, listener);
        arena.close();
        try {
            Files.deleteIfExists(path);
        } catch (final IOException e) {
            // Best effort: a stale socket file refuses connections and is replaced by the next context.
        }
    }
}
