package io.aioring.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** The bench's file: written with random bytes when it is missing or short, and read into the page cache unless O_DIRECT. */
final class BenchFile {
    private BenchFile() {
    }

    /**
     * @param path      the file
     * @param options   the run (size, workload, O_DIRECT, JSON output)
     * @param temporary true if the bench made the file and may fill it
     * @param err       where to say what it does
     * @param stop      a signal's request to stop (the file is abandoned)
     * @throws IOException if the file cannot be used, or is too short for a read-only workload
     */
    static void prepare(final Path path, final BenchOptions options, final boolean temporary, final PrintWriter err,
                        final SignalStop stop) throws IOException {
        final long fileSize = options.fileSize();
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("cannot use " + path + ": " + parent + " is not a directory");
        }
        final boolean exists = Files.exists(path) && Files.size(path) >= fileSize;
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
        if (!options.direct()) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                for (long read = 0; read < fileSize; ) {
                    final int n = channel.read(chunk.clear(), read);
                    if (n <= 0) {
                        break;
                    }
                    read += n;
                }
            }
        }
    }
}
