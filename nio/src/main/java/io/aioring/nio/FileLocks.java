package io.aioring.nio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * The locks this JVM's channels hold, by file: POSIX record locks belong to the process, so two channels of one
 * JVM would never conflict in the kernel; as the JDK does, an overlapping lock within the JVM is refused here
 * ({@link OverlappingFileLockException}). In the kernel they are {@code fcntl} locks, the kind the JDK's
 * {@code FileChannel} takes, so they conflict with another process's.
 */
final class FileLocks {
    /** A file, whatever path or descriptor names it. */
    record FileKey(long device, long inode) {
    }

    private static final Map<FileKey, List<Lock>> HELD = new ConcurrentHashMap<>();

    /** One lock of a channel. */
    static final class Lock extends FileLock {
        private final FileKey key;
        private final int fd;
        private volatile boolean valid = true;

        Lock(final AioFileChannel channel, final FileKey key, final int fd, final long position, final long size,
             final boolean shared) {
            super((AsynchronousFileChannel) channel, position, size, shared);
            this.key = key;
            this.fd = fd;
        }

        @Override
        public boolean isValid() {
            return valid && acquiredBy().isOpen();
        }

        @Override
        public void release() throws IOException {
            if (!acquiredBy().isOpen()) {
                throw new ClosedChannelException();
            }
            if (valid) {
                FileLocks.release(fd, this);
                forget(key, this);
            }
        }

        void invalidate() {
            valid = false;
        }
    }

    private FileLocks() {
    }

    /** @return the file's key: its device and inode (statx of {@code fd}) */
    static FileKey key(final Errno errno, final int fd, final Arena scratch) throws IOException {
        final MemorySegment statx = scratch.allocate(Linux.STATX_SIZE, 8);
        final int r = Linux.fstatx(errno, fd, Linux.STATX_MASK_INO, statx);
        if (r < 0) {
            Linux.close(errno, fd);
            throw new IOException(ChannelEngine.describe("statx", r));
        }
        final long device = (long) statx.get(ValueLayout.JAVA_INT, Linux.STATX_DEV_MAJOR_OFFSET) << 32
            | Integer.toUnsignedLong(statx.get(ValueLayout.JAVA_INT, Linux.STATX_DEV_MINOR_OFFSET));
        return new FileKey(device, statx.get(ValueLayout.JAVA_LONG, Linux.STATX_INO_OFFSET));
    }

    /**
     * Notes a lock this JVM is about to take.
     *
     * @param size as the caller gave it: 0 locks from {@code position} to the end of the file, however it grows,
     *             and the lock's {@link FileLock#size()} is then {@code Long.MAX_VALUE - position}, as the JDK's
     * @throws OverlappingFileLockException if a lock of this JVM (held, or being taken) overlaps it
     */
    static Lock reserve(final FileKey key, final AioFileChannel channel, final long position, final long requestedSize,
                        final boolean shared) {
        final long size = requestedSize == 0 ? Long.MAX_VALUE - position : requestedSize;
        final Lock lock = new Lock(channel, key, channel.fd(), position, size, shared);
        HELD.compute(key, (k, locks) -> {
            final List<Lock> next = locks == null ? new ArrayList<>() : locks;
            for (final Lock held : next) {
                if (held.overlaps(position, size)) {
                    throw new OverlappingFileLockException();
                }
            }
            next.add(lock);
            return next;
        });
        return lock;
    }

    /** Drops a lock from the table (released, or never taken). */
    static void forget(final FileKey key, final Lock lock) {
        lock.invalidate();
        HELD.computeIfPresent(key, (k, locks) -> {
            locks.remove(lock);
            return locks.isEmpty() ? null : locks;
        });
    }

    /**
     * Takes the lock in the kernel, one call.
     *
     * @param cmd F_SETLK (answers at once) or F_SETLKW (waits until no other process holds a conflicting lock, or a
     *            signal ends the wait)
     * @return true if held; false if another process holds one (F_SETLK) or a signal ended the wait (F_SETLKW)
     */
    static boolean take(final int fd, final FileLock lock, final int cmd) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment flock = flock(scratch, lock.isShared() ? Linux.F_RDLCK : Linux.F_WRLCK, lock);
            final Errno errno = new Errno(scratch);
            int r;
            do {
                r = Linux.fcntlLock(errno, fd, cmd, flock.address());
            } while (r == -Errno.EINTR && cmd == Linux.F_SETLK);
            if (r == 0) {
                return true;
            }
            if (r == -Errno.EINTR || r == -Errno.EAGAIN || r == -Errno.EACCES) {
                return false;
            }
            throw new IOException(ChannelEngine.describe("fcntl", r));
        }
    }

    /** Releases the lock in the kernel. */
    static void release(final int fd, final FileLock lock) {
        try (Arena scratch = Arena.ofConfined()) {
            Linux.fcntlLock(new Errno(scratch), fd, Linux.F_SETLK, flock(scratch, Linux.F_UNLCK, lock).address());
        }
    }

    /** A channel closes: its locks go (the kernel's go with the descriptor's close as well). */
    static void releaseAll(final FileKey key, final AioFileChannel channel, final int fd) {
        final List<Lock> mine = new ArrayList<>();
        HELD.computeIfPresent(key, (k, held) -> {
            for (final Lock lock : held) {
                if (lock.acquiredBy() == channel) {
                    mine.add(lock);
                }
            }
            held.removeAll(mine);
            return held.isEmpty() ? null : held;
        });
        for (final Lock lock : mine) {
            release(fd, lock);
            lock.invalidate();
        }
    }

    private static MemorySegment flock(final Arena arena, final short type, final FileLock lock) {
        final MemorySegment flock = arena.allocate(Linux.FLOCK_SIZE, 8);
        flock.set(ValueLayout.JAVA_SHORT, Linux.FLOCK_TYPE, type);
        flock.set(ValueLayout.JAVA_SHORT, Linux.FLOCK_WHENCE, (short) 0); // SEEK_SET
        flock.set(ValueLayout.JAVA_LONG, Linux.FLOCK_START, lock.position());
        // A lock that reaches Long.MAX_VALUE means "to the end and beyond": l_len 0 says so to the kernel.
        flock.set(ValueLayout.JAVA_LONG, Linux.FLOCK_LEN,
            lock.position() + lock.size() == Long.MAX_VALUE ? 0 : lock.size());
        return flock;
    }
}
