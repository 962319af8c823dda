package io.aioring.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import io.aioring.abi.AioContext;
import io.aioring.abi.AttributeRegistry;
import io.aioring.abi.ContextReaper;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.attributes.TimingAttribute;
import io.aioring.ring.RecordHandler;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;
import io.aioring.ring.RingSpec;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Across two JVMs, in one run: messages per second from a producer JVM to a consumer JVM through an aioring ring
 * file and through Agrona's OneToOneRingBuffer over a file mapping of the same size, at 32 and 256 bytes; then the
 * wake-up latency of a reaper JVM asleep on a context's eventfd or on the tail futex (event completion, from the
 * timing attribute, to the reaper holding it).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *   -cp benchmarks/target/benchmarks.jar io.aioring.benchmarks.CrossProcessBench
 * </pre>
 */
public final class CrossProcessBench {
    static final int DATA = 64 * 1024;
    /** Wake-ups not recorded, while both JVMs compile their paths. */
    static final int WARM_UP = 1_000;

    private CrossProcessBench() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("consume")) {
            consume(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        if (args.length > 0 && args[0].equals("wake")) {
            wake(Path.of(args[1]), ContextReaper.WaitMode.valueOf(args[2]), Integer.parseInt(args[3]));
            return;
        }
        final long scale = args.length > 0 ? Long.parseLong(args[0]) : 1;
        System.out.println("| transport | payload | msgs/s |");
        System.out.println("|-----------|--------:|-------:|");
        for (final int payload : new int[] {32, 256}) {
            final long count = (payload == 32 ? 20_000_000L : 10_000_000L) * scale;
            for (final String kind : new String[] {"aioring", "agrona"}) {
                System.out.printf(Locale.ROOT, "| %s | %d B | %.1f M |%n", kind.equals("aioring")
                    ? "aioring ring file, shared-mode reaper" : "Agrona OneToOneRingBuffer on a file mapping", payload,
                    transfer(kind, payload, count) / 1e6);
            }
        }
        System.out.println();
        System.out.println("| reaper sleeps on | wake-ups | p50 | p99 | p99.9 |");
        System.out.println("|------------------|---------:|----:|----:|------:|");
        for (final ContextReaper.WaitMode mode : ContextReaper.WaitMode.values()) {
            System.out.println(wakeLatency(mode, (int) (5_000 * scale)));
        }
    }

    private static Process child(final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), CrossProcessBench.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String awaitLine(final BufferedReader in, final String prefix) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IllegalStateException("the child ended without printing '" + prefix + "'");
    }

    /** @return messages per second seen by the consumer JVM */
    private static double transfer(final String kind, final int payload, final long count) throws Exception {
        final Path path = Path.of("/dev/shm", "aioring-xproc-" + ProcessHandle.current().pid() + "-" + kind);
        Files.deleteIfExists(path);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[payload]);
        try (Arena arena = Arena.ofShared()) {
            RingFile ringFile = null;
            RingProducer producer = null;
            OneToOneRingBuffer agrona = null;
            if (kind.equals("aioring")) {
                ringFile = RingFile.create(path, RingSpec.of(DATA));
                producer = new RingProducer(ringFile.ring());
            } else {
                agrona = new OneToOneRingBuffer(map(arena, path, DATA + RingBufferDescriptor.TRAILER_LENGTH));
            }
            final Process consumer = child("consume", kind, path.toString(), Long.toString(count));
            final BufferedReader in = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
            awaitLine(in, "ready");
            for (long i = 0; i < count; ) {
                message.putLong(0, i);
                final boolean written = producer != null ? producer.offer(1, message, 0, payload) : agrona.write(1, message, 0, payload);
                if (written) {
                    i++;
                } else {
                    Thread.onSpinWait();
                }
            }
            final String done = awaitLine(in, "consumed");
            consumer.waitFor();
            if (ringFile != null) {
                ringFile.delete();
            }
            Files.deleteIfExists(path);
            final String[] words = done.split(" ");
            return Double.parseDouble(words[1]) / (Double.parseDouble(words[3]) / 1e9);
        }
    }

    private static UnsafeBuffer map(final Arena arena, final Path path, final int length) throws Exception {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() < length) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[1]), length - 1);
            }
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
            return new UnsafeBuffer(segment.address(), length);
        }
    }

    /** The consumer JVM: counts {@code count} messages, checking their order; prints "consumed N in T ns". */
    private static void consume(final String kind, final Path path, final long count) throws Exception {
        final long[] seen = {0, 0};
        final RecordHandler aioring = (type, buffer, index, length) -> {
            if (buffer.getLong(index) != seen[0]++) {
                seen[1]++;
            }
        };
        final org.agrona.concurrent.MessageHandler agronaHandler = (type, buffer, index, length) -> {
            if (buffer.getLong(index) != seen[0]++) {
                seen[1]++;
            }
        };
        try (Arena arena = Arena.ofShared()) {
            RingFile file = null;
            RingReaper reaper = null;
            OneToOneRingBuffer agrona = null;
            if (kind.equals("aioring")) {
                file = RingFile.open(path);
                reaper = new RingReaper(file.ring(), RingReaper.Mode.SHARED);
            } else {
                agrona = new OneToOneRingBuffer(map(arena, path, DATA + RingBufferDescriptor.TRAILER_LENGTH));
            }
            System.out.println("ready");
            // The first quarter warms both JVMs up; the rate is taken over the rest.
            final long warmUp = count / 4;
            long start = 0;
            while (seen[0] < count) {
                if (reaper != null) {
                    reaper.poll(aioring, Integer.MAX_VALUE);
                } else {
                    agrona.read(agronaHandler);
                }
                if (start == 0 && seen[0] >= warmUp) {
                    start = System.nanoTime() - 1;
                }
            }
            final long elapsed = System.nanoTime() - start;
            System.out.println("consumed " + (count - warmUp) + " in " + elapsed + " ns, " + seen[1] + " out of order");
            if (file != null) {
                file.close();
            }
        }
    }

    /** @return a table row: wake-up latency, event completion to the sleeping reaper JVM holding it */
    private static String wakeLatency(final ContextReaper.WaitMode mode, final int count) throws Exception {
        final AttributeRegistry registry = new AttributeRegistry(List.of(new TimingAttribute()));
        try (AioContext context = AioContext.setup(new SetupParams().ringDataBytes(DATA).workers(1), registry)) {
            final Process reaper = child("wake", context.ringPath().toString(), mode.name(), Integer.toString(count));
            final BufferedReader in = new BufferedReader(new InputStreamReader(reaper.getInputStream(), StandardCharsets.UTF_8));
            awaitLine(in, "ready");
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[128]));
            for (int i = 0; i < count + WARM_UP; i++) {
                writer.reset();
                writer.nop(i).attribute(TimingAttribute.ID, 0);
                context.submit(writer);
                LockSupport.parkNanos(300_000); // the reaper goes back to sleep between events
            }
            final String result = awaitLine(in, "|");
            reaper.waitFor();
            return result;
        }
    }

    /** The reaper JVM: sleeps with {@code mode} whenever the ring is empty; records completion-to-reaped latency. */
    private static void wake(final Path ring, final ContextReaper.WaitMode mode, final int count) throws Exception {
        final Histogram histogram = new Histogram(10_000_000_000L, 3);
        final int[] got = {0};
        final int[] timeouts = {0};
        try (ContextReaper reaper = ContextReaper.open(ring)) {
            if (mode == ContextReaper.WaitMode.EVENTFD) {
                reaper.eventfd();
            }
            System.out.println("ready");
            while (got[0] < count + WARM_UP) {
                if (reaper.poll((EventView e) -> {
                    final long now = System.nanoTime();
                    final int a = e.findAttribute(TimingAttribute.ID);
                    if (got[0]++ < WARM_UP) {
                        return;
                    }
                    histogram.recordValue(Math.max(0, now - e.buffer().getLong(e.attributePayloadIndex(a) + TimingAttribute.COMPLETE_OFFSET)));
                }, 1 << 16) == 0) {
                    if (!reaper.await(mode, 1_000_000_000L)) {
                        timeouts[0]++;
                    }
                }
            }
        }
        System.err.println("timeouts " + timeouts[0] + ", max " + histogram.getMaxValue() / 1000 + " us");
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f µs | %.1f µs | %.1f µs |%n", mode == ContextReaper.WaitMode.EVENTFD
                ? "the eventfd (received over SCM_RIGHTS), poll(2)" : "the tail futex", count,
            histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
            histogram.getValueAtPercentile(99.9) / 1000.0);
    }
}
