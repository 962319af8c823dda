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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.aioring.linux.ChildJvm;
import io.aioring.abi.AioContext;
import io.aioring.abi.spi.AttributeRegistry;
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
 * file (read by a shared-mode and by an exclusive-mode {@link RingReaper}) and through Agrona's OneToOneRingBuffer
 * over a file mapping of the same size, at 32 and 256 bytes, in interleaved rounds; then the wake-up latency of a
 * reaper JVM asleep on a context's eventfd or on the tail futex (event completion, from the timing attribute, to
 * the reaper holding it). {@code benchmarks/cross-process.sh} runs it, then the machine's own floor for a wake-up
 * ({@code benchmarks/src/main/c/wake_floor.c}).
 *
 * <pre>
 * java $AIORING_JVM_FLAGS -cp benchmarks/target/benchmarks.jar io.aioring.benchmarks.CrossProcessBench [rounds]
 * </pre>
 */
public final class CrossProcessBench {
    static final int DATA = 64 * 1024;
    /** Wake-ups not recorded, while both JVMs compile their paths. */
    static final int WARM_UP = 1_000;
    /** Each throughput trial: reaped, not counted, while both JVMs compile; then counted. */
    static final long WARM_UP_NANOS = 1_000_000_000L;
    static final long MEASURE_NANOS = 2_000_000_000L;
    /**
     * After an empty poll, every consumer waits this many spin-wait hints before it looks again. A consumer that
     * re-reads, back to back, the cache line the producer is writing slows the producer down, by an amount that
     * swings from run to run (2x apart with one hint); with this short pause all three settle within ~10 %.
     */
    static final int EMPTY_POLL_SPINS = 64;

    private CrossProcessBench() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("consume")) {
            consume(Transport.valueOf(args[1]), Path.of(args[2]));
            return;
        }
        if (args.length > 0 && args[0].equals("wake")) {
            wake(Path.of(args[1]), ContextReaper.WaitMode.valueOf(args[2]), Integer.parseInt(args[3]));
            return;
        }
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be 0 (wake-up latency only) or more, not " + rounds);
        }
        if (rounds > 0) {
            throughput(rounds);
        }
        System.out.println();
        System.out.println("| reaper sleeps on | wake-ups | p50 | p99 | p99.9 |");
        System.out.println("|------------------|---------:|----:|----:|------:|");
        warmUpEngine();
        for (int round = 0; round < 2; round++) {
            for (final ContextReaper.WaitMode mode : ContextReaper.WaitMode.values()) {
                System.out.println(wakeLatency(mode, 5_000));
            }
        }
    }

    private static void throughput(final int rounds) throws Exception {
        System.out.println("Throughput, " + rounds + " rounds (transports interleaved): median [min - max] msgs/s");
        System.out.println();
        System.out.println("| transport | 32 B | 256 B |");
        System.out.println("|-----------|-----:|------:|");
        final Transport[] transports = Transport.values();
        final int[] payloads = {32, 256};
        final double[][][] rates = new double[transports.length][payloads.length][rounds];
        for (int p = 0; p < payloads.length; p++) {
            for (int r = 0; r < rounds; r++) {
                for (int t = 0; t < transports.length; t++) {
                    rates[t][p][r] = transfer(transports[t], payloads[p]);
                }
            }
        }
        for (int t = 0; t < transports.length; t++) {
            System.out.println("| " + transports[t].title + " | " + spread(rates[t][0]) + " | " + spread(rates[t][1]) + " |");
        }
        for (int p = 0; p < payloads.length; p++) {
            System.out.printf(Locale.ROOT, "%d B, per round, aioring shared / Agrona: %s; aioring exclusive / Agrona: %s%n",
                payloads[p], ratios(rates[0][p], rates[2][p]), ratios(rates[1][p], rates[2][p]));
        }
    }

    /** The rings compared; the consumer JVM is told which by name. */
    enum Transport {
        AIORING_SHARED("aioring ring file, `RingReaper` SHARED (copy + CAS; any number of reapers)"),
        AIORING_EXCLUSIVE("aioring ring file, `RingReaper` EXCLUSIVE (in place; one reaper)"),
        AGRONA("Agrona `OneToOneRingBuffer` on a file mapping (in place; one reader)");

        final String title;

        Transport(final String title) {
            this.title = title;
        }
    }

    private static String spread(final double[] rates) {
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.1f M [%.1f - %.1f]", sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6,
            sorted[sorted.length - 1] / 1e6);
    }

    private static String ratios(final double[] ours, final double[] theirs) {
        final StringBuilder text = new StringBuilder();
        final double[] each = new double[ours.length];
        for (int r = 0; r < ours.length; r++) {
            each[r] = ours[r] / theirs[r];
            text.append(r == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", each[r]));
        }
        Arrays.sort(each);
        return text.append(String.format(Locale.ROOT, " (median %.2fx)", each[each.length / 2])).toString();
    }

    private static Process child(final String... args) throws Exception {
        return new ProcessBuilder(ChildJvm.command(CrossProcessBench.class, args))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
    private static double transfer(final Transport kind, final int payload) throws Exception {
        final Path path = Path.of("/dev/shm", "aioring-xproc-" + ProcessHandle.current().pid() + "-" + kind);
        Files.deleteIfExists(path);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[payload]);
        try (Arena arena = Arena.ofShared()) {
            RingFile ringFile = null;
            RingProducer producer = null;
            OneToOneRingBuffer agrona = null;
            if (kind != Transport.AGRONA) {
                ringFile = RingFile.create(path, RingSpec.of(DATA));
                producer = new RingProducer(ringFile.ring());
            } else {
                agrona = new OneToOneRingBuffer(map(arena, path, DATA + RingBufferDescriptor.TRAILER_LENGTH));
            }
            final Process consumer = child("consume", kind.name(), path.toString());
            final BufferedReader in = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
            awaitLine(in, "ready");
            final AtomicReference<String> done = new AtomicReference<>();
            final Thread listener = new Thread(() -> {
                String line;
                try {
                    line = awaitLine(in, "consumed");
                } catch (final Exception e) {
                    line = "failed: " + e.getMessage();
                }
                done.set(line);
            });
            listener.start();
            long i = 0;
            while (done.get() == null) {
                message.putLong(0, i);
                if (producer != null ? producer.offer(1, message, 0, payload) : agrona.write(1, message, 0, payload)) {
                    i++;
                } else {
                    Thread.onSpinWait();
                }
            }
            listener.join();
            final String result = done.get();
            if (!result.startsWith("consumed") || !result.endsWith(" 0 out of order")) {
                throw new IllegalStateException(kind + ": " + result);
            }
            consumer.waitFor();
            if (ringFile != null) {
                ringFile.delete();
            }
            Files.deleteIfExists(path);
            final String[] words = result.split(" ");
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

    /**
     * The consumer JVM: reaps for {@link #WARM_UP_NANOS} (both JVMs compile their paths), then counts what it reaps
     * for {@link #MEASURE_NANOS}, checking that every message is the next in sequence; prints "consumed N in T ns,
     * K out of order".
     */
    private static void consume(final Transport kind, final Path path) throws Exception {
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
            if (kind != Transport.AGRONA) {
                file = RingFile.open(path);
                reaper = new RingReaper(file.ring(), kind == Transport.AIORING_SHARED ? RingReaper.Mode.SHARED
                    : RingReaper.Mode.EXCLUSIVE);
            } else {
                agrona = new OneToOneRingBuffer(map(arena, path, DATA + RingBufferDescriptor.TRAILER_LENGTH));
            }
            System.out.println("ready");
            final long begin = System.nanoTime();
            long start = 0;
            long startCount = 0;
            long now;
            int polls = 0;
            while (true) {
                if ((reaper != null ? reaper.poll(aioring, Integer.MAX_VALUE) : agrona.read(agronaHandler)) == 0) {
                    for (int k = 0; k < EMPTY_POLL_SPINS; k++) {
                        Thread.onSpinWait();
                    }
                }
                if ((++polls & 255) == 0) {
                    now = System.nanoTime();
                    if (start == 0 && now - begin >= WARM_UP_NANOS) {
                        start = now;
                        startCount = seen[0];
                    } else if (start != 0 && now - start >= MEASURE_NANOS) {
                        break;
                    }
                }
            }
            System.out.println("consumed " + (seen[0] - startCount) + " in " + (now - start) + " ns, " + seen[1]
                + " out of order");
            if (file != null) {
                file.close();
            }
        }
    }

    /**
     * Compiles this JVM's submit-and-post path before any wake-up is timed: otherwise whichever wait mode goes
     * first pays for it (the reaper JVMs are new each time and warm up on their first {@link #WARM_UP} events).
     */
    private static void warmUpEngine() throws Exception {
        final AttributeRegistry registry = new AttributeRegistry(List.of(new TimingAttribute()));
        try (AioContext context = AioContext.setup(new SetupParams().ringDataBytes(DATA).workers(1), registry)) {
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[128]));
            final long[] reaped = {0};
            for (int i = 0; i < 50_000; i++) {
                writer.reset();
                writer.nop(i).attribute(TimingAttribute.ID, 0);
                context.submit(writer);
                context.getevents(1, DATA, 1_000_000_000L, e -> reaped[0]++);
            }
            if (reaped[0] != 50_000) {
                throw new IllegalStateException("warm-up reaped " + reaped[0] + " of 50000 events");
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
                    if (got[0]++ < WARM_UP) {
                        return;
                    }
                    histogram.recordValue(Math.max(0, now - TimingAttribute.completeNanos(e)));
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
