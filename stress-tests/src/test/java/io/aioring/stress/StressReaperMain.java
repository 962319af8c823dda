package io.aioring.stress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.EventView;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingReaper;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A stress reaper process. Reaps the ring file args[0] until the engine closes it and it is empty, checking every
 * event's attribute records, and logs each event's user data in a file mapping (args[1]: u64 count, then the ids),
 * which survives this process being SIGKILLed. Its batch buffer is a file mapping too (args[1] + ".batch"), so events
 * it had taken but not yet logged when killed can still be found and accounted for. Exit 3 on a bad event.
 */
public final class StressReaperMain {
    static final long LOG_BYTES = 256L << 20;
    static final int BATCH_BYTES = 512 * 1024;

    private StressReaperMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path log = Path.of(args[0 + 1]);
        try (Arena arena = Arena.ofShared();
             RingFile file = RingFile.open(Path.of(args[0]), ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
             FileChannel logChannel = FileChannel.open(log, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                 StandardOpenOption.WRITE);
             FileChannel batchChannel = FileChannel.open(Path.of(log + ".batch"), StandardOpenOption.CREATE_NEW,
                 StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final MemorySegment logMap = logChannel.map(FileChannel.MapMode.READ_WRITE, 0, LOG_BYTES, arena);
            final MemorySegment batchMap = batchChannel.map(FileChannel.MapMode.READ_WRITE, 0, BATCH_BYTES, arena);
            final UnsafeBuffer logged = new UnsafeBuffer(logMap.address(), (int) LOG_BYTES);
            final RingReaper reaper = new RingReaper(file.ring(), RingReaper.Mode.SHARED,
                new UnsafeBuffer(batchMap.address(), BATCH_BYTES));
            final EventView view = new EventView();
            final long[] count = {0};
            final BackoffIdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
            System.out.println("reaping");
            while (true) {
                final int n = reaper.poll((type, buffer, index, length) -> {
                    if (type != EventDescriptor.RECORD_TYPE) {
                        fail("record type " + type);
                    }
                    final EventView e = view.wrap(buffer, index, length);
                    final String bad = checkAttributes(e);
                    if (bad != null) {
                        fail("event " + e.userData() + ": " + bad);
                    }
                    logged.putLong((int) (8 + 8 * count[0]), e.userData());
                    logged.putLongRelease(0, ++count[0]);
                }, BATCH_BYTES);
                if (n == 0) {
                    final int flags = file.ring().flags();
                    if ((flags & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0) {
                        file.ring().ringDoorbell();
                    } else if ((flags & RingDescriptor.FLAG_PRODUCER_CLOSED) != 0 && reaper.isEmpty()) {
                        break;
                    }
                }
                idle.idle(n);
            }
            System.out.println("reaped " + count[0] + " events");
        }
    }

    /** @return null if every padding record holds its expected words and every record is well formed, else what is wrong */
    static String checkAttributes(final EventView e) {
        int offset = e.firstAttribute();
        for (int i = 0; i < e.attributeCount(); i++) {
            final int id = e.attributeId(offset);
            if (id >= PaddingAttribute.Small.ID && id <= PaddingAttribute.Large4.ID) {
                final int length = e.attributePayloadLength(offset);
                if (e.attributeStatus(offset) != AttributeRecordDescriptor.STATUS_HANDLED
                    || !PaddingAttribute.check(e.buffer(), e.attributePayloadIndex(offset), length, e.userData(), id)) {
                    return "padding record " + i + " (id " + id + ", " + length + " bytes) is not intact";
                }
            }
            offset = e.nextAttribute(offset);
        }
        return e.result() >= 0 ? null : "result " + e.result();
    }

    private static void fail(final String why) {
        System.out.println("BAD " + why);
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }
}
