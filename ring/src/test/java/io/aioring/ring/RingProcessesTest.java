package io.aioring.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.io.DataInputStream;
import java.nio.file.Files;

import io.aioring.linux.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The producer in this JVM, two reaper JVMs on one ring under /dev/shm; counters wrap past 2^32 during the run. */
class RingProcessesTest {
    private static final int RECORDS = 2_000_000;

    @Test
    @Timeout(180)
    void twoReaperProcessesReapEveryRecordExactlyOnce(@TempDir final Path dir) throws Exception {
        final int dataLength = 256 * 1024;
        final int start = -128 * 1024;
        final RingFile file = RingFile.create(RingFile.defaultPath(), RingSpec.of(dataLength).withInitialPosition(start));
        final List<ChildJvm> children = new ArrayList<>();
        final List<Path> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                final Path out = dir.resolve("reaper-" + i + ".bin");
                outputs.add(out);
                children.add(ChildJvm.start(ReaperMain.class, file.path().toString(), out.toString()));
            }
            for (int i = 0; i < 2; i++) {
                final Path ready = Path.of(outputs.get(i) + ".ready");
                final long deadline = System.nanoTime() + 60_000_000_000L;
                while (!Files.exists(ready)) {
                    assertTrue(children.get(i).process().isAlive(), () -> "reaper exited early:\n" + childLogs(children));
                    assertTrue(System.nanoTime() < deadline, "reaper did not start within 60 s");
                    Thread.sleep(10);
                }
            }
            final RingProducer producer = new RingProducer(file.ring());
            TestRecords.produce(producer, RECORDS, 64, () -> { });
            final int finalTail = producer.publishedTail();
            producer.close();
            assertTrue(Integer.compareUnsigned(finalTail, start) < 0, "the counters wrapped past 2^32");
            final List<BitSet> seen = new ArrayList<>();
            long duplicates = 0;
            long torn = 0;
            for (int i = 0; i < 2; i++) {
                assertEquals(0, children.get(i).waitFor(120), children.get(i).log());
                try (DataInputStream in = new DataInputStream(Files.newInputStream(outputs.get(i)))) {
                    duplicates += in.readLong();
                    torn += in.readLong();
                    final long count = in.readLong();
                    final long[] words = new long[in.readInt()];
                    for (int w = 0; w < words.length; w++) {
                        words[w] = in.readLong();
                    }
                    seen.add(BitSet.valueOf(words));
                    assertTrue(count > 0, "reaper " + i + " took part");
                }
            }
            assertNull(SequenceTally.verdict(RECORDS, seen, duplicates, torn));
        } finally {
            for (final ChildJvm child : children) {
                child.close();
            }
            file.delete();
        }
    }

    private static String childLogs(final List<ChildJvm> children) {
        final StringBuilder text = new StringBuilder();
        for (final ChildJvm child : children) {
            text.append(child.log()).append('\n');
        }
        return text.toString();
    }
}
