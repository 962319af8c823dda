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
    private static final java.security.SecureRandom NAMES = new java.security.SecureRandom();

    private final Path path;
    private final Arena arena;
    private final Ring ring;
    /** The open file, kept for {@link #size()}: the path may be renamed or removed by others. */
    private final FileChannel channel;

    private RingFile(final Path path, final Arena arena, final Ring ring, final FileChannel channel) {
        this.path = path;
        this.arena = arena;
        this.ring = ring;
        this.channel = channel;
    }

    /**
     * @return a fresh path for a ring: {@code /dev/shm/aioring-PID-N-RANDOM.ring} (or under java.io.tmpdir without
     *         /dev/shm), where RANDOM is 64 bits from a SecureRandom: another user cannot plant files under the names
     *         a context will take
     */
    public static Path defaultPath() {
        final Path shm = Path.of("/dev/shm");
        final Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
            + String.format("%016x", NAMES.nextLong()) + ".ring");
    }

    /**
     * Creates a new ring file (it must not exist), sized, mapped and formatted.
     *
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
     * @throws UncheckedIOException if the file exists or cannot be created
     */
    public static RingFile createUnpublished(final Path path, final RingSpec spec) {
        final long total = RingDescriptor.totalLength(spec.dataLength());
        final Arena arena = Arena.ofShared();
        boolean created = false;
        FileChannel opened = null;
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            created = true;
            reserve(path, total);
            final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            opened = channel;
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
            final Ring ring = Ring.formatUnpublished(new UnsafeBuffer(segment.address(), (int) total), spec);
            return new RingFile(path, arena, ring, channel);
        } catch (final IOException e) {
            closeQuietly(opened);
            arena.close();
            removeQuietly(created, path);
            throw new UncheckedIOException("cannot create ring file " + path + ": " + describe(e), e);
        } catch (final RuntimeException e) {
            closeQuietly(opened);
            arena.close();
            removeQuietly(created, path);
            throw e;
        }
    }

    /** Opens an existing ring file, accepting only the ring layer's own incompat features. */
    public static RingFile open(final Path path) {
        return open(path, RingDescriptor.RING_INCOMPAT_FEATURES);
    }

    /**
     * Opens an existing ring file and checks its header. A ring still being set up (magic 0) is waited for, up to
     * {@link #SETUP_WAIT_NANOS}.
     *
     * @param knownIncompatFeatures the incompat feature bits the caller understands
     * @throws UncheckedIOException if the file cannot be opened or mapped
     * @throws RingFormatException  if it is not a ring this build can read
     */
    public static RingFile open(final Path path, final long knownIncompatFeatures) {
        final Arena arena = Arena.ofShared();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final long size = channel.size();
            if (size < RingDescriptor.HEADER_LENGTH) {
                throw new RingFormatException("not an aioring ring: " + path + " is " + size
                    + " bytes, shorter than the " + RingDescriptor.HEADER_LENGTH + "-byte header");
            }
            final long mapped = Math.min(size, RingDescriptor.totalLength(RingDescriptor.MAX_DATA_LENGTH));
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, mapped, arena);
            final UnsafeBuffer buffer = new UnsafeBuffer(segment.address(), (int) segment.byteSize());
            awaitSetup(buffer);
            final Ring ring = Ring.attach(buffer, knownIncompatFeatures);
            return new RingFile(path, arena, ring, channel);
        } catch (final IOException e) {
            closeQuietly(channel);
            arena.close();
            throw new UncheckedIOException("cannot open ring file " + path + ": " + describe(e), e);
        } catch (final RuntimeException e) {
            closeQuietly(channel);
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
    private static void reserve(final Path path, final long total) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final io.aioring.linux.Errno errno = new io.aioring.linux.Errno(scratch);
            final int fd = io.aioring.linux.Linux.openat(errno, io.aioring.linux.Linux.AT_FDCWD,
                io.aioring.linux.Linux.cString(scratch, path.toString()).address(),
                io.aioring.linux.Linux.O_RDWR | io.aioring.linux.Linux.O_CLOEXEC | io.aioring.linux.Linux.O_NOFOLLOW, 0);
            if (fd < 0) {
                throw new IOException("open: " + io.aioring.linux.Errno.describeResult(fd));
            }
            try {
                final int r = io.aioring.linux.Linux.fallocate(errno, fd, 0, 0, total);
                if (r < 0) {
                    throw new IOException(r == -io.aioring.linux.Errno.ENOSPC
                        ? "no room for its " + total + " bytes on " + path.getParent() + " (ENOSPC)"
                        : "fallocate of " + total + " bytes: " + io.aioring.linux.Errno.describeResult(r));
                }
            } finally {
                io.aioring.linux.Linux.close(errno, fd);
            }
        }
    }

    private static void closeQuietly(final FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (final IOException e) {
                // Nothing to add to the error being reported.
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

    public Path path() {
        return path;
    }

    public Ring ring() {
        return ring;
    }

    /**
     * @return the file's size now (fstat of the open file, wherever its path points): smaller than the ring means
     *         someone truncated it under the mappings, and touching the lost pages raises SIGBUS
     * @throws UncheckedIOException if fstat fails
     */
    public long size() {
        try {
            return channel.size();
        } catch (final IOException e) {
            throw new UncheckedIOException("fstat of ring file " + path + ": " + describe(e), e);
        }
    }

    /** @return true if the file is now smaller than the ring it holds (see {@link #size()}) */
    public boolean isTruncated() {
        return size() < RingDescriptor.totalLength(ring.dataLength());
    }

    /** Unmaps the ring; the file stays. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
        closeQuietly(channel);
    }

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
