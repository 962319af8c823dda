package io.aioring.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.AioAttribute;
import io.aioring.abi.AioContext;
import io.aioring.abi.AttributeRecordDescriptor;
import io.aioring.abi.AttributeRegistry;
import io.aioring.abi.ContextDescriptor;
import io.aioring.abi.ContextReaper;
import io.aioring.abi.EventDescriptor;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.Opcode;
import io.aioring.abi.SetupParams;
import io.aioring.abi.linux.Errno;
import io.aioring.abi.linux.Linux;
import io.aioring.ring.RecordDescriptor;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aioring bench}: a fio-like workload through a context, reaped (by default) by another process through
 * shared memory. Prints IOPS, bandwidth, submit-to-reaped latency percentiles, queue versus service latency,
 * page-cache hit ratio, overflow counts and counter wraps.
 */
@Command(name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Run a fio-like workload through an aioring context and report what it measured.",
        "With no options: 10 s of 4 KiB random reads at queue depth 32 over a temporary 1 GiB file (created, cached, "
            + "removed), with the timing and page-cache attributes, reaped by one other process."})
final class BenchCommand implements Callable<Integer> {
    enum Workload {
        randread, read, randwrite, write, randrw
    }

    enum ReaperMode {
        process, thread
    }

    @Option(names = "--file", paramLabel = "PATH", description = "file to use (default: a temporary file, removed afterwards)")
    Path file;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "1g", description = "bytes of the file to use (default: ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--bs", paramLabel = "SIZE", defaultValue = "4k", description = "block size (default: ${DEFAULT-VALUE})")
    String blockSize;

    @Option(names = "--rw", paramLabel = "WORKLOAD", defaultValue = "randread",
        description = "randread, read, randwrite, write or randrw (default: ${DEFAULT-VALUE})")
    Workload workload;

    @Option(names = "--rwmixread", paramLabel = "PERCENT", defaultValue = "70",
        description = "for randrw: the share of reads (default: ${DEFAULT-VALUE})")
    int readPercent;

    @Option(names = "--qd", paramLabel = "N", defaultValue = "32", description = "iocbs kept in flight (default: ${DEFAULT-VALUE})")
    int queueDepth;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", description = "how long to run (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--ios", paramLabel = "N", description = "stop after N iocbs instead of after --duration")
    Long ioLimit;

    @Option(names = "--attrs", paramLabel = "LIST",
        description = "attributes to ask for, comma-separated, or none (default: timing,page-cache; timing with --direct)")
    String attributes;

    @Option(names = "--reapers", paramLabel = "N", defaultValue = "1", description = "reapers (default: ${DEFAULT-VALUE})")
    int reapers;

    @Option(names = "--reaper-mode", paramLabel = "MODE", defaultValue = "process",
        description = "process (separate JVMs reaping through shared memory) or thread (default: ${DEFAULT-VALUE})")
    ReaperMode reaperMode;

    @Option(names = "--direct", description = "open the file with O_DIRECT")
    boolean direct;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "engine worker threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--ring", paramLabel = "SIZE", defaultValue = "1m", description = "ring data bytes (default: ${DEFAULT-VALUE})")
    String ringSize;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "write the latency histogram for HdrHistogram's plotter")
    Path hgrm;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What the run measured on the engine's side; the reapers' side is in a {@link BenchRecorder}. */
    record EngineSide(long submitted, long elapsedNanos, long busy, long overflowed, long wraps, long posted) {
    }

    @Override
    public Integer call() throws Exception {
        final long fileSize = size(size, "--size");
        final long bs = size(blockSize, "--bs");
        final long durationNanos = durationNanos();
        final int ringBytes = (int) Math.min(Integer.MAX_VALUE, size(ringSize, "--ring"));
        check(bs >= 512 && bs <= 16 << 20 && Long.bitCount(bs) == 1, "--bs must be a power of two from 512 to 16m, not " + blockSize);
        check(fileSize >= bs, "--size (" + size + ") must be at least --bs (" + blockSize + ")");
        check(queueDepth >= 1 && queueDepth <= 4096, "--qd must be 1 to 4096, not " + queueDepth);
        check(reapers >= 1 && reapers <= 16, "--reapers must be 1 to 16, not " + reapers);
        check(workers >= 1 && workers <= 256, "--workers must be 1 to 256, not " + workers);
        check(readPercent >= 0 && readPercent <= 100, "--rwmixread must be 0 to 100, not " + readPercent);
        check(ioLimit == null || ioLimit > 0, "--ios must be positive");
        final AttributeRegistry registry = AttributeRegistry.discover();
        final int[] attributeIds = attributeIds(registry);

        final boolean temporary = file == null;
        final Path path = temporary ? Files.createTempFile("aioring-bench-", ".dat") : file;
        final PrintWriter err = spec.commandLine().getErr();
        try {
            prepareFile(path, fileSize, temporary, err);
            return run(path, fileSize, bs, durationNanos, ringBytes, registry, attributeIds);
        } finally {
            if (temporary) {
                Files.deleteIfExists(path);
            }
        }
    }

    private int run(final Path path, final long fileSize, final long bs, final long durationNanos, final int ringBytes,
                    final AttributeRegistry registry, final int[] attributeIds) throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try (Arena arena = Arena.ofShared()) {
            final Errno errno = new Errno(arena);
            final boolean writes = workload != Workload.randread && workload != Workload.read;
            final int flags = (writes ? Linux.O_RDWR : Linux.O_RDONLY) | Linux.O_CLOEXEC | (direct ? Linux.O_DIRECT : 0);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, path.toString()).address(), flags, 0644);
            if (fd < 0) {
                throw new IOException("cannot open " + path + (direct ? " with O_DIRECT" : "") + ": " + Errno.name(-fd));
            }
            final SetupParams params = new SetupParams().ringDataBytes(ringBytes).workers(workers)
                .maxInFlight(Math.max(64, queueDepth)).overflowBound(65_536);
            final AioContext context;
            try {
                context = AioContext.setup(params, registry);
            } catch (final RuntimeException e) {
                Linux.close(errno, fd);
                throw e;
            }
            final List<ChildReaper> children = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            final List<BenchRecorder> threadRecorders = new ArrayList<>();
            try {
                final MemorySegment buffers = arena.allocate(bs * queueDepth, 4096);
                buffers.fill((byte) 0x5A);
                context.registerMemory(buffers);
                if (reaperMode == ReaperMode.process) {
                    for (int i = 0; i < reapers; i++) {
                        children.add(ChildReaper.start(context.ringPath()));
                    }
                } else {
                    for (int i = 0; i < reapers; i++) {
                        final BenchRecorder recorder = new BenchRecorder();
                        threadRecorders.add(recorder);
                        // A mapping of its own, as a reaper process has: destroy() unmaps the context's mapping
                        // while the reaper is still draining what is left.
                        final ContextReaper reaper = ContextReaper.open(context.ringPath());
                        final Thread thread = new Thread(() -> {
                            try (reaper) {
                                ReapCommand.reapUntilClosed(reaper, recorder, durationNanos + 600_000_000_000L);
                            }
                        }, "aioring-bench-reaper-" + i);
                        thread.setDaemon(true);
                        threads.add(thread);
                        thread.start();
                    }
                }
                final EngineSide engine = submitLoop(context, fd, buffers.address(), fileSize, bs, durationNanos, attributeIds, err);
                final int discarded = context.destroy();
                final BenchRecorder total = new BenchRecorder();
                for (final ChildReaper child : children) {
                    total.add(child.finish());
                }
                for (int i = 0; i < threads.size(); i++) {
                    threads.get(i).join();
                    total.add(threadRecorders.get(i));
                }
                final BenchReport report = new BenchReport(this, path, fileSize, bs, engine, total, discarded, attributeIds.length > 0
                    ? registry : null, attributeIds);
                if (json) {
                    out.println(report.json());
                } else {
                    out.print(report.text());
                }
                out.flush();
                if (hgrm != null) {
                    report.writeHgrm(hgrm);
                }
                if (total.events != engine.submitted()) {
                    err.println("aioring bench: " + engine.submitted() + " iocbs submitted but " + total.events + " events reaped");
                    return 1;
                }
                return 0;
            } finally {
                if (!context.isDestroyed()) {
                    context.destroy();
                }
                for (final ChildReaper child : children) {
                    child.close();
                }
                Linux.close(errno, fd);
            }
        }
    }

    /** Keeps {@code --qd} iocbs in flight until the duration (or --ios) is done, then waits for every completion. */
    private EngineSide submitLoop(final AioContext context, final int fd, final long buffers, final long fileSize,
                                  final long bs, final long durationNanos, final int[] attributeIds,
                                  final PrintWriter err) throws InterruptedException {
        final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[Math.min(queueDepth, 256) * 256]));
        // Queue depth counts iocbs submitted and not yet reaped, as fio's does: those in the engine, plus events
        // waiting in the ring (its unread bytes over one event's span) or on the overflow list.
        final long eventSpan = eventSpan(context, attributeIds);
        final SplittableRandom random = new SplittableRandom();
        final long blocks = fileSize / bs;
        final boolean progress = System.console() != null && !json;
        final IdleStrategy idle = new BackoffIdleStrategy(20, 50, 1_000, 20_000);
        long sequential = 0;
        long submitted = 0;
        long wraps = 0;
        int lastTail = context.ring().tail();
        final long start = System.nanoTime();
        final long deadline = start + durationNanos;
        long nextProgress = start + 1_000_000_000L;
        long lastProgressCompleted = 0;
        while (ioLimit != null ? submitted < ioLimit : System.nanoTime() - deadline < 0) {
            final long unreadBytes = Integer.toUnsignedLong(context.ring().tail() - context.ring().head());
            final long inFlight = submitted - context.completed() + unreadBytes / eventSpan + context.overflowLength();
            long room = Math.min(queueDepth - inFlight, 256);
            if (ioLimit != null) {
                room = Math.min(room, ioLimit - submitted);
            }
            if (room > 0) {
                writer.reset();
                for (int i = 0; i < room; i++) {
                    final long offset;
                    if (workload == Workload.read || workload == Workload.write) {
                        offset = (sequential++ % blocks) * bs;
                    } else {
                        offset = random.nextLong(blocks) * bs;
                    }
                    final boolean read = workload == Workload.randread || workload == Workload.read
                        || (workload == Workload.randrw && random.nextInt(100) < readPercent);
                    final long buffer = buffers + ((submitted + i) % queueDepth) * bs;
                    writer.iocb(read ? Opcode.PREAD : Opcode.PWRITE, fd, offset, buffer, (int) bs, 0, 0, submitted + i);
                    for (final int id : attributeIds) {
                        writer.attribute(id, 0);
                    }
                }
                final int accepted = context.submit(writer);
                if (accepted > 0) {
                    submitted += accepted;
                } else {
                    Thread.yield(); // -EBUSY or -EAGAIN: the engine counts busy rejections in the ring header
                }
                idle.reset();
            } else {
                // Two cores are shared by this thread, the workers and the reapers: give the CPU away while full.
                idle.idle();
            }
            final int tail = context.ring().tail();
            if (Integer.compareUnsigned(tail, lastTail) < 0) {
                wraps++;
            }
            lastTail = tail;
            if (progress && System.nanoTime() - nextProgress >= 0) {
                final long completed = context.completed();
                err.printf("\r[%5.1fs] %,d IOPS, %,d in flight   ", (System.nanoTime() - start) / 1e9,
                    completed - lastProgressCompleted, submitted - completed);
                err.flush();
                lastProgressCompleted = completed;
                nextProgress += 1_000_000_000L;
            }
        }
        final long waitUntil = System.nanoTime() + 120_000_000_000L;
        while (context.completed() < submitted || context.overflowLength() > 0) {
            if (System.nanoTime() - waitUntil > 0) {
                err.println("aioring bench: gave up waiting for " + (submitted - context.completed()) + " completions");
                break;
            }
            TimeUnit.MICROSECONDS.sleep(50);
        }
        final long elapsed = System.nanoTime() - start;
        if (progress) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
        final var header = context.ring().buffer();
        return new EngineSide(submitted, elapsed, Integer.toUnsignedLong(header.getInt(ContextDescriptor.BUSY_REJECTIONS_OFFSET)),
            header.getLong(ContextDescriptor.EVENTS_OVERFLOWED_OFFSET), wraps,
            header.getLong(ContextDescriptor.EVENTS_POSTED_OFFSET));
    }

    /** @return the ring bytes one event of this run takes (a read's; a write's page-cache record is smaller) */
    private static long eventSpan(final AioContext context, final int[] attributeIds) {
        int length = RecordDescriptor.HEADER_LENGTH + EventDescriptor.HEADER_LENGTH;
        for (final int id : attributeIds) {
            length += IocbWriter.align(AttributeRecordDescriptor.HEADER_LENGTH
                + context.attributes().byId(id).returnLength());
        }
        return RecordDescriptor.align(length);
    }

    private void prepareFile(final Path path, final long fileSize, final boolean temporary, final PrintWriter err)
        throws IOException {
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("cannot use " + path + ": " + parent + " is not a directory");
        }
        final boolean exists = Files.exists(path) && Files.size(path) >= fileSize;
        if (!exists) {
            if (!temporary && Files.exists(path) && (workload == Workload.randread || workload == Workload.read)) {
                throw new IOException(path + " is " + Files.size(path) + " bytes, smaller than --size " + size);
            }
            if (!json) {
                err.println("aioring bench: writing " + Sizes.human(fileSize) + " to " + path + " ...");
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                final SplittableRandom random = new SplittableRandom(42);
                for (long written = 0; written < fileSize; ) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(random.nextLong());
                    }
                    chunk.flip().limit((int) Math.min(chunk.capacity(), fileSize - written));
                    written += channel.write(chunk, written);
                }
            }
        }
        if (!direct) {
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

    private int[] attributeIds(final AttributeRegistry registry) {
        // page-cache says nothing true about O_DIRECT reads (docs/abi.md 3.3), so --direct leaves it out by default.
        final String list = (attributes != null ? attributes : direct ? "timing" : "timing,page-cache").trim().toLowerCase(Locale.ROOT);
        if (list.equals("none") || list.isEmpty()) {
            return new int[0];
        }
        final String[] names = list.split(",");
        final int[] ids = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            final AioAttribute attribute = registry.byName(names[i].trim());
            if (attribute == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--attrs: no attribute named '" + names[i].trim()
                    + "'; available: " + registry.all().stream().map(AioAttribute::name).toList());
            }
            ids[i] = attribute.id();
        }
        return ids;
    }

    private long size(final String text, final String option) {
        try {
            return Sizes.bytes(text);
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private long durationNanos() {
        try {
            return Sizes.nanos(duration);
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration: " + e.getMessage());
        }
    }

    private void check(final boolean ok, final String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
