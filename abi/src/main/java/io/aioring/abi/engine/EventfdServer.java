package io.aioring.abi.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.aioring.linux.Errno;
import io.aioring.linux.FdPassing;
import io.aioring.linux.Linux;

/**
 * Serves the context's eventfd to other processes of the same user: listens on a Unix socket (mode 0600) and sends
 * each connection whose peer credentials (SO_PEERCRED) are this user's, or root's, a copy of
 * the descriptor (SCM_RIGHTS), then closes it. The socket's path is published in the ring header.
 */
final class EventfdServer implements AutoCloseable {
    private final Path path;
    private final int listener;
    private final int eventfd;
    private final Thread thread;
    private volatile boolean closing;

    EventfdServer(final Path path, final int eventfd, final String name) throws IOException {
        this.path = path;
        this.eventfd = eventfd;
        Files.deleteIfExists(path);
        this.listener = FdPassing.listen(path);
        this.thread = new Thread(this::serve, name + "-eventfd-server");
        thread.setDaemon(true);
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
            try {
                // Only this user (or root) gets the eventfd: the socket's mode already keeps others from connecting,
                // and its path is in a shared directory, so the peer's credentials are checked too.
                final long peer = FdPassing.peerUid(connection);
                if (peer != Integer.toUnsignedLong(Linux.geteuid()) && peer != 0) {
                    continue; // closed below without a descriptor
                }
                FdPassing.send(connection, eventfd);
            } catch (final IOException e) {
                // The client went away before taking it; it can connect again.
            } finally {
                Linux.close(errno, connection);
            }
        }
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
        Linux.close(errno, listener);
        try {
            Files.deleteIfExists(path);
        } catch (final IOException e) {
            // Best effort: a stale socket file refuses connections and is replaced by the next context.
        }
    }
}
