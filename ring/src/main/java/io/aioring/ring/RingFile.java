package io.aioring.ring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A ring in a shared file mapping: created by the producer (mode 0600, by default under {@code /dev/shm}),
 * opened by any number of other processes. {@link #close()} unmaps it; {@link #delete()} also removes the file.
 *
 * <p>Unmapping while another thread of this process still reads the ring would fault that thread: stop the
 * producer and reapers that use this mapping before closing it.
 */
public final class RingFile implements AutoCloseable {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path path;
    private final Arena arena;
    private final Ring ring;
    /**
     * The open file, kept for {@link #size()} (the path may be renamed or removed by others) and named by
     * {@link #descriptor()} (an engine refuses iocbs on it); -1 once closed.
     */
    private volatile int fd;
    private final io.aioring.linux.Errno errno;
    private final MemorySegment statx;

    private RingFile(final Path path, final Arena arena, final Ring ring, final int fd) {
        this.path = path;
        this.arena = arena;
        this.ring = ring;
        this.fd = fd;
        this.errno = new io.aioring.linux.Errno(arena);
        this.statx = arena.allocate(io.aioring.linux.Linux.STATX_SIZE, 8);
    }

    /**
     * {@return a fresh path for a ring: {@code /dev/shm/aioring-PID-N-RANDOM.ring} (or under java.io.tmpdir without
     * /dev/shm), where RANDOM is 64 bits from getrandom(2): another user cannot plant files under the names a
     * context will take}
     */
    public static Path defaultPath() {
        final Path shm = Path.of("/dev/shm");
        final Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        final String random = Long.toHexString(randomLong());
        return dir.resolve("aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
            + "0".repeat(16 - random.length()) + random + ".ring");
    }

    /** 64 bits from getrandom(2): a SecureRandom and String.format cost a first setup tens of milliseconds. */
    private static long randomLong() {
        try (Arena scratch = Arena.ofConfined()) {
            final io.aioring.linux.Errno errno = new io.aioring.linux.Errno(scratch);
            final MemorySegment bytes = scratch.allocate(8, 8);
            long got;
            do {
                got = io.aioring.linux.Linux.getrandom(errno, bytes, 8);
            } while (got == -io.aioring.linux.Errno.EINTR);
            if (got != 8) {
                throw new IllegalStateException("getrandom(2) for a ring's name: "
                    + (got < 0 ? io.aioring.linux.Errno.name((int) -got) : got + " of 8 bytes"));
            }
            return bytes.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * Creates a new ring file (it must not exist), sized, mapped and formatted.
     *
     * @param path the path
     * @param spec the ring's specification
     * @return the file, its ring published
     * @throws UncheckedIOException if the file exists or cannot be created
     */
    public static RingFile create(final Path path, final RingSpec spec) {
        final RingFile file = createUnpublished(path, spec);
        file.ring().publishHeader();
        return file;
    }

    /**
     * Creates a new ring file as {@link #create} does but leaves its magic 0 (readers refuse it) until the caller,
     * done writing, calls {@code ring().publishHeader()}.
     *
     * @param path the path
     * @param spec the ring's specification
     * @return the file, its ring's magic still 0
     * @throws UncheckedIOException if the file exists or cannot be created
     */
    public static RingFile createUnpublished(final Path path, final RingSpec spec) {
        return createUnpublished(path, spec, Allocation.AT_CREATE);
    }

    /** When a new ring file's bytes are allocated on its file system. */
    public enum Allocation {
        /** Every byte at create (fallocate): a file system without room refuses the ring then, never later. */
        AT_CREATE,
        /**
         * As pages are first written: create checks that the file system has room for all of it now (fstatfs) and
         * refuses it otherwise, but reserves nothing, so a ring that is mostly never written (an overflow file)
         * costs no memory on tmpfs. A file system that fills up later faults the writer (SIGBUS) at the page that
         * has no room.
         */
        AS_WRITTEN
    }

    /**
     * As {@link #createUnpublished(Path, RingSpec)}, its bytes allocated as {@code allocation} says.
     *
     * @param path the path
     * @param spec the ring's specification
     * @param allocation when the file's bytes are allocated
     * @return the file, its ring's magic still 0
     * @throws UncheckedIOException if the file exists or cannot be created, or there is no room for it
     */
    public static RingFile createUnpublished(final Path path, final RingSpec spec, final Allocation allocation) {
        final long total = RingDescriptor.totalLength(spec.dataLength(), spec.trailerLength());
        final Arena arena = Arena.ofShared();
        boolean created = false;
        int fd = -1;
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            created = true;
            fd = openDescriptor(path);
            if (allocation == Allocation.AT_CREATE) {
                reserve(fd, path, total);
            } else {
                size(fd, path, total);
            }
            final MemorySegment segment = map(fd, total, arena);
            final Ring ring = Ring.formatUnpublished(new UnsafeBuffer(segment.address(), (int) total), spec);
            return new RingFile(path, arena, ring, fd);
        } catch (final IOException e) {
            closeDescriptor(fd);
            arena.close();
            removeQuietly(created, path);
            throw new UncheckedIOException("cannot create ring file " + path + ": " + describe(e), e);
        } catch (final RuntimeException e) {
            closeDescriptor(fd);
            arena.close();
            removeQuietly(created, path);
            throw e;
        }
    }

    /** @return the file opened read-write (O_NOFOLLOW, O_CLOEXEC): the descriptor the ring keeps */
    private static int openDescriptor(final Path path) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final io.aioring.linux.Errno errno = new io.aioring.linux.Errno(scratch);
            final int fd = io.aioring.linux.Linux.openat(errno, io.aioring.linux.Linux.AT_FDCWD,
                io.aioring.linux.Linux.cString(scratch, path.toString()).address(),
                io.aioring.linux.Linux.O_RDWR | io.aioring.linux.Linux.O_CLOEXEC | io.aioring.linux.Linux.O_NOFOLLOW, 0);
            if (fd < 0) {
                throw fd == -io.aioring.linux.Errno.ENOENT ? new NoSuchFileException(path.toString())
                    : fd == -io.aioring.linux.Errno.EACCES ? new java.nio.file.AccessDeniedException(path.toString())
                    : fd == -io.aioring.linux.Errno.ELOOP ? new IOException("a symbolic link, not followed (ELOOP)")
                    : new IOException("open: " + io.aioring.linux.Errno.describeResult(fd));
            }
            return fd;
        }
    }

    private static long fstatSize(final int fd, final Path path) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final long size = statSize(fd, new io.aioring.linux.Errno(scratch),
                scratch.allocate(io.aioring.linux.Linux.STATX_SIZE, 8));
            if (size < 0) {
                throw new IOException("fstat: " + io.aioring.linux.Errno.describeResult(size));
            }
            return size;
        }
    }

    /**
     * Maps {@code length} bytes of the open file {@code fd} (through a channel on the descriptor itself, closed at
     * once: the mapping outlives it, and only {@code fd} stays open).
     */
    private static MemorySegment map(final int fd, final long length, final Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
        }
    }

    private static void closeDescriptor(final int fd) {
        if (fd >= 0) {
            io.aioring.linux.Linux.close(new io.aioring.linux.Errno(), fd);
        }
    }

    /**
     * Opens an existing ring file, accepting only the ring layer's own incompat features.
     *
     * @param path the path
     * @return the file, mapped
     */
    public static RingFile open(final Path path) {
        return open(path, RingDescriptor.RING_INCOMPAT_FEATURES);
    }

    /**
     * Opens an existing ring file and checks its header. A ring still being set up (magic 0) is waited for, up to
     * {@link #SETUP_WAIT_NANOS}.
     *
     * @param knownIncompatFeatures the incompat feature bits the caller understands
     * @param path the path
     * @return the file, mapped
     * @throws UncheckedIOException if the file cannot be opened or mapped
     * @throws RingFormatException  if it is not a ring this build can read
     */
    public static RingFile open(final Path path, final long knownIncompatFeatures) {
        return open(path, knownIncompatFeatures, true);
    }

    /**
     * As {@link #open(Path, long)}; with {@code waitForSetup} false a ring whose magic is still 0 is refused at once
     * (a lister going through a directory of them must not wait a second on each).
     *
     * @param path the path
     * @param knownIncompatFeatures the incompat feature bits the caller understands
     * @param waitForSetup wait for a ring still being set up, rather than refuse it at once
     * @return the file, mapped
     */
    public static RingFile open(final Path path, final long knownIncompatFeatures, final boolean waitForSetup) {
        final Arena arena = Arena.ofShared();
        int fd = -1;
        try {
            fd = openDescriptor(path); // a symbolic link is not followed (ELOOP): a ring is a file of its own
            final long size = fstatSize(fd, path);
            if (size < RingDescriptor.HEADER_LENGTH) {
                throw new RingFormatException("not an aioring ring: " + path + " is " + size
                    + " bytes, shorter than the " + RingDescriptor.HEADER_LENGTH + "-byte header");
            }
            final long mapped = Math.min(size, RingDescriptor.totalLength(RingDescriptor.MAX_DATA_LENGTH,
                RingDescriptor.MAX_TRAILER_LENGTH));
            final MemorySegment segment = map(fd, mapped, arena);
            final UnsafeBuffer buffer = new UnsafeBuffer(segment.address(), (int) segment.byteSize());
            if (waitForSetup) {
                awaitSetup(buffer);
            }
            final Ring ring = Ring.attach(buffer, knownIncompatFeatures);
            return new RingFile(path, arena, ring, fd);
        } catch (final IOException e) {
            closeDescriptor(fd);
            arena.close();
            throw new UncheckedIOException("cannot open ring file " + path + ": " + describe(e), e);
        } catch (final RuntimeException e) {
            closeDescriptor(fd);
            arena.close();
            throw e;
        }
    }

    /** How long {@link #open} waits for a ring being set up (magic still 0) before it refuses it. */
    public static final long SETUP_WAIT_NANOS = 1_000_000_000L;

    /** A file whose magic is 0 is a ring being set up (docs/abi.md 1.1): give its owner a moment to finish. */
    private static void awaitSetup(final UnsafeBuffer buffer) {
        final long deadline = System.nanoTime() + SETUP_WAIT_NANOS;
        while (buffer.getLongAcquire(RingDescriptor.MAGIC_OFFSET) == 0 && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    /**
     * Allocates every byte of the file now (fallocate), so that a full file system refuses the ring here, with one
     * line, rather than with SIGBUS when the ring first writes a page that has no room.
     */
    private static void reserve(final int fd, final Path path, final long total) throws IOException {
        final int r = io.aioring.linux.Linux.fallocate(new io.aioring.linux.Errno(), fd, 0, 0, total);
        if (r < 0) {
            throw new IOException(r == -io.aioring.linux.Errno.ENOSPC
                ? "no room for its " + total + " bytes on " + path.getParent() + " (ENOSPC)"
                : "fallocate of " + total + " bytes: " + io.aioring.linux.Errno.describeResult(r));
        }
    }

    /** Sizes the file without allocating it, once the file system is seen to have room for all of it. */
    private static void size(final int fd, final Path path, final long total) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final io.aioring.linux.Errno errno = new io.aioring.linux.Errno(scratch);
            final long room = io.aioring.linux.Linux.availableBytes(errno, fd,
                scratch.allocate(io.aioring.linux.Linux.STATFS_SIZE, 8));
            if (room >= 0 && room < total) {
                throw new IOException("no room for its " + total + " bytes on " + path.getParent() + " (ENOSPC: "
                    + room + " bytes free)");
            }
            final int r = io.aioring.linux.Linux.ftruncate(errno, fd, total);
            if (r < 0) {
                throw new IOException("ftruncate to " + total + " bytes: " + io.aioring.linux.Errno.describeResult(r));
            }
        }
    }

    private static void removeQuietly(final boolean created, final Path path) {
        if (created) {
            try {
                Files.deleteIfExists(path);
            } catch (final IOException e) {
                // Left behind; the error about the ring itself is what the caller needs.
            }
        }
    }

    private static String describe(final IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "file already exists";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** {@return the file's path} */
    public Path path() {
        return path;
    }

    /** {@return the ring, through this file's mapping} */
    public Ring ring() {
        return ring;
    }

    /**
     * {@return the file's size now (fstat of the open file, wherever its path points): smaller than the ring means
     * someone truncated it under the mappings, and touching the lost pages raises SIGBUS}
     *
     * @throws UncheckedIOException if fstat fails
     */
    public synchronized long size() {
        final int open = fd;
        if (open < 0) {
            throw new IllegalStateException("ring file " + path + " is closed");
        }
        final long size = statSize(open, errno, statx);
        if (size < 0) {
            throw new UncheckedIOException("fstat of ring file " + path, new IOException(io.aioring.linux.Errno.describeResult(size)));
        }
        return size;
    }

    /** @return the size of the open file {@code fd} (statx with AT_EMPTY_PATH into {@code buffer}), or -errno */
    private static long statSize(final int fd, final io.aioring.linux.Errno errno, final MemorySegment buffer) {
        final int r = io.aioring.linux.Linux.fstatx(errno, fd, io.aioring.linux.Linux.STATX_MASK_SIZE, buffer);
        return r < 0 ? r : buffer.get(java.lang.foreign.ValueLayout.JAVA_LONG, io.aioring.linux.Linux.STATX_SIZE_OFFSET);
    }

    /**
     * {@return the descriptor of the open ring file (this process's), or -1 once closed: an engine refuses every
     * iocb that names it}
     */
    public int descriptor() {
        return fd;
    }

    /**
     * Takes the file's exclusive lock (flock, non-blocking) for as long as this RingFile is open: the producer holds
     * it, so a second producer — a re-attach racing another, or one aimed at a live engine's ring — cannot take the
     * ring too. The kernel drops it when the holder's process dies, and no write to the file can fake or move it.
     *
     * @return true if this RingFile now holds it; false if another open file (in any process) does
     */
    public synchronized boolean tryLockExclusive() {
        final int open = fd;
        if (open < 0) {
            throw new IllegalStateException("ring file " + path + " is closed");
        }
        final int r = io.aioring.linux.Linux.flock(errno, open, io.aioring.linux.Linux.LOCK_EX | io.aioring.linux.Linux.LOCK_NB);
        if (r == 0) {
            return true;
        }
        if (r == -io.aioring.linux.Errno.EAGAIN) {
            return false;
        }
        throw new UncheckedIOException("flock of ring file " + path, new IOException(io.aioring.linux.Errno.describeResult(r)));
    }

    /**
     * {@return true if this file's path still names the file this object holds open (the same device and inode): no
     * one has removed or replaced it since it was opened}
     */
    public synchronized boolean pathNamesThisFile() {
        final int open = fd;
        if (open < 0) {
            throw new IllegalStateException("ring file " + path + " is closed");
        }
        try (Arena scratch = Arena.ofConfined()) {
            final io.aioring.linux.Errno e = new io.aioring.linux.Errno(scratch);
            final MemorySegment mine = scratch.allocate(io.aioring.linux.Linux.STATX_SIZE, 8);
            final MemorySegment named = scratch.allocate(io.aioring.linux.Linux.STATX_SIZE, 8);
            if (io.aioring.linux.Linux.fstatx(e, open, io.aioring.linux.Linux.STATX_MASK_INO, mine) < 0
                || io.aioring.linux.Linux.statx(e, io.aioring.linux.Linux.AT_FDCWD,
                    io.aioring.linux.Linux.cString(scratch, path.toString()).address(), AT_SYMLINK_NOFOLLOW,
                    io.aioring.linux.Linux.STATX_MASK_INO, named.address()) < 0) {
                return false; // removed (ENOENT), or not ours to look at
            }
            return mine.get(java.lang.foreign.ValueLayout.JAVA_LONG, io.aioring.linux.Linux.STATX_INO_OFFSET)
                    == named.get(java.lang.foreign.ValueLayout.JAVA_LONG, io.aioring.linux.Linux.STATX_INO_OFFSET)
                && mine.get(java.lang.foreign.ValueLayout.JAVA_INT, io.aioring.linux.Linux.STATX_DEV_MAJOR_OFFSET)
                    == named.get(java.lang.foreign.ValueLayout.JAVA_INT, io.aioring.linux.Linux.STATX_DEV_MAJOR_OFFSET)
                && mine.get(java.lang.foreign.ValueLayout.JAVA_INT, io.aioring.linux.Linux.STATX_DEV_MINOR_OFFSET)
                    == named.get(java.lang.foreign.ValueLayout.JAVA_INT, io.aioring.linux.Linux.STATX_DEV_MINOR_OFFSET);
        }
    }

    /** statx's flag: a symbolic link at the path is looked at itself, not followed. */
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    /** {@return true if the file is now smaller than the ring it holds (see {@link #size()})} */
    public boolean isTruncated() {
        return size() < ring.fileLength();
    }

    /**
     * Closes the file and gives up the mapping without unmapping its addresses: the file's pages are replaced, in
     * place, by anonymous memory that reads as zeros, so a thread of this process that still holds the {@link Ring}
     * (and reads it after a destroy, or during an exit hook's) reads zeros instead of dying of SIGSEGV. The
     * addresses are unmapped once the Ring is unreachable.
     */
    @Override
    public synchronized void close() {
        final int open = fd;
        fd = -1;
        closeDescriptor(open);
        if (!retired && arena.scope().isAlive()) {
            retired = true;
            final int replaced = io.aioring.linux.Linux.replaceWithAnonymous(new io.aioring.linux.Errno(),
                ring.buffer().addressOffset(), ring.buffer().capacity());
            if (replaced < 0) {
                arena.close(); // no replacement: unmap now, as before
            } else {
                final Arena mapping = arena;
                UNMAPPER.register(ring, () -> {
                    if (mapping.scope().isAlive()) {
                        mapping.close();
                    }
                });
            }
        }
    }

    /** Unmaps a closed ring's addresses once nothing can read them (its Ring is unreachable). */
    private static final java.lang.ref.Cleaner UNMAPPER = java.lang.ref.Cleaner.create();
    private boolean retired;

    /** Unmaps the ring and removes its file. */
    public void delete() {
        close();
        try {
            Files.deleteIfExists(path);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot delete ring file " + path + ": " + describe(e), e);
        }
    }
}
