package io.aioring.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * The bench's file: written with random bytes when it is missing or short (never a block device, which is only
 * read), then read into the page cache, or with --cold evicted from it, unless O_DIRECT.
 */
final class BenchFile {
    /** st_mode's file type bits, and a block device's. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private BenchFile() {
    }

    static boolean isBlockDevice(final Path path) {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) == S_IFBLK;
        } catch (final IOException | UnsupportedOperationException e) {
            return false; // missing (bench makes it) or unreadable (open says why)
        }
    }

    /** @return the type of the file system that holds {@code path} (or, if it does not exist yet, its directory) */
    static String fileSystemType(final Path path) {
        Path existing = path.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? "" : Files.getFileStore(existing).type();
        } catch (final IOException e) {
            return ""; // unknown: nothing to refuse; opening the file says what is wrong
        }
    }

    /** @return the bytes a block device holds (its st_size is 0; the JDK asks the device) */
    static long deviceSize(final Path device) throws IOException {
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
            return channel.size();
        }
    }

    /**
     * @param path      the file
     * @param options   the run (size, workload, O_DIRECT, JSON output)
     * @param temporary true if the bench made the file and may fill it
     * @param err       where to say what it does
     * @param stop      a signal's request to stop (the file is abandoned)
     * @return what holds the page cache warm for the run: a block device's page cache is dropped at its last close,
     *         so the descriptor that read it stays open until this is closed (nothing for a file)
     * @throws IOException if the file cannot be used, or is too short for a read-only workload
     */
    static AutoCloseable prepare(final Path path, final BenchOptions options, final boolean temporary, final PrintWriter err,
                        final SignalStop stop) throws IOException {
        final long fileSize = options.fileSize();
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("cannot use " + path + ": " + parent + " is not a directory");
        }
        final boolean exists = options.blockDevice() || Files.exists(path) && Files.size(path) >= fileSize;
        if (!exists) {
            if (!temporary && Files.exists(path) && !options.workload().writes()) {
                throw new IOException(path + " is " + Files.size(path) + " bytes, smaller than --size " + Sizes.human(fileSize));
            }
            if (!options.json()) {
                err.println("aioring bench: writing " + Sizes.human(fileSize) + " to " + path + " ...");
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                final SplittableRandom random = new SplittableRandom(42);
                for (long written = 0; written < fileSize; ) {
                    if (stop.requested()) {
                        throw new IOException("stopped by a signal while writing " + path);
                    }
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(random.nextLong());
                    }
                    chunk.flip().limit((int) Math.min(chunk.capacity(), fileSize - written));
                    written += channel.write(chunk, written);
                }
            }
        }
        if (options.cold()) {
            evict(path, fileSize);
        } else if (!options.direct()) {
            final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            try {
                final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                for (long read = 0; read < fileSize; ) {
                    final int n = channel.read(chunk.clear(), read);
                    if (n <= 0) {
                        break;
                    }
                    read += n;
                }
            } catch (final IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (options.blockDevice()) {
                return channel;
            }
            channel.close();
        }
        return () -> { };
    }

    /** Writes the file's dirty pages (those cannot be dropped), then drops its pages from the page cache. */
    private static void evict(final Path path, final long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            final Errno errno = new Errno(arena);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, path.toString()).address(),
                Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("--cold: cannot open " + path + ": " + Errno.name(-fd));
            }
            try {
                final int synced = Linux.fsync(errno, fd);
                final int dropped = synced < 0 ? synced : Linux.posixFadvise(fd, 0, length, Linux.POSIX_FADV_DONTNEED);
                if (dropped < 0) {
                    throw new IOException("--cold: cannot evict " + path + " from the page cache: "
                        + (synced < 0 ? "fsync " : "posix_fadvise ") + Errno.name(-dropped));
                }
            } finally {
                Linux.close(errno, fd);
            }
        }
    }
}
