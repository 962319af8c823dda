package io.aioring.ring;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * A reaper process: maps the ring file in args[0], reaps until the producer has closed it and it is empty, then
 * writes what it saw to args[1]: the seen set (as {@link java.util.BitSet#toLongArray()}), duplicates, torn.
 */
public final class ReaperMain {
    private ReaperMain() {
    }

    public static void main(final String[] args) throws IOException {
        final Path ringPath = Path.of(args[0]);
        final Path out = Path.of(args[1]);
        final SequenceTally tally = new SequenceTally();
        try (RingFile file = RingFile.open(ringPath)) {
            final RingReaper reaper = new RingReaper(file.ring(), RingReaper.Mode.SHARED, 4096);
            Files.writeString(Path.of(args[1] + ".ready"), "ready");
            reaper.reap(tally, 4096, Integer.MAX_VALUE, new BackoffIdleStrategy(10, 10, 1_000, 200_000), Long.MAX_VALUE);
        }
        final Path tmp = Path.of(args[1] + ".tmp");
        try (DataOutputStream data = new DataOutputStream(Files.newOutputStream(tmp))) {
            final long[] words = tally.seen.toLongArray();
            data.writeLong(tally.duplicates);
            data.writeLong(tally.torn);
            data.writeLong(tally.count);
            data.writeInt(words.length);
            for (final long w : words) {
                data.writeLong(w);
            }
        }
        Files.move(tmp, out);
    }
}
