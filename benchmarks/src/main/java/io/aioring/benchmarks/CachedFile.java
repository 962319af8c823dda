package io.aioring.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** The benchmarks' data file: made once under java.io.tmpdir, read through so that it is in the page cache. */
final class CachedFile {
    private CachedFile() {
    }

    /** @return the file of {@code size} ("1g", "64m", ...), created if needed and read into the page cache */
    static Path prepare(final String size) throws IOException {
        final long bytes = parseSize(size);
        final Path file = Path.of(System.getProperty("java.io.tmpdir"), "aioring-bench-" + size + ".dat");
        if (!Files.exists(file) || Files.size(file) != bytes) {
            writeFile(file, bytes);
        }
        warmCache(file);
        return file;
    }

    /** @return {@code count} random block-aligned offsets within a file of {@code size} bytes (count a power of two) */
    static long[] randomOffsets(final long size, final int block, final int count) {
        final SplittableRandom random = new SplittableRandom(7);
        final long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = random.nextLong(size / block) * block;
        }
        return offsets;
    }

    static long parseSize(final String text) {
        final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        final long unit = t.endsWith("g") ? 1L << 30 : t.endsWith("m") ? 1L << 20 : t.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }

    static void writeFile(final Path path, final long size) throws IOException {
        final Path tmp = Path.of(path + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            final SplittableRandom random = new SplittableRandom(1);
            for (long written = 0; written < size; written += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(random.nextLong());
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
        }
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static void warmCache(final Path path) {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            while (in.read(chunk.clear()) > 0) {
                // read to pull every page into the page cache
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
