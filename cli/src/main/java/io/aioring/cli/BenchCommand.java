package io.aioring.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.aioring.abi.AioContext;
import io.aioring.abi.SetupParams;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AioAttribute;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aioring bench}: a fio-like workload through a context, reaped (by default) by another process through
 * shared memory. Prints IOPS, bandwidth, submit-to-reaped latency percentiles, queue versus service latency,
 * page-cache hit ratio, overflow counts and counter wraps. This class reads the options ({@link BenchOptions});
 * the file, the submitting side, the reapers and the report are classes of their own.
 */
@Command(name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Run a fio-like workload through an aioring context and report what it measured.",
        "With no options: 10 s of 4 KiB random reads at queue depth 32 over a temporary 1 GiB file (created, cached, "
            + "removed), with the timing and page-cache attributes, reaped by one other process."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"--file", "--filename"}, paramLabel = "PATH", description = "file to use (default: a temporary file, removed afterwards)")
    Path file;

    @Option(names = "--size", paramLabel = "SIZE", description = "bytes of the file to use (default: 1g; a block device's whole size)")
    String size;

    @Option(names = {"--bs", "--blocksize"}, paramLabel = "SIZE", defaultValue = "4k", description = "block size (default: ${DEFAULT-VALUE})")
    String blockSize;

    @Option(names = "--rw", paramLabel = "WORKLOAD", defaultValue = "randread",
        description = "randread, read, randwrite, write or randrw (default: ${DEFAULT-VALUE})")
    BenchOptions.Workload workload;

    @Option(names = "--rwmixread", paramLabel = "PERCENT", defaultValue = "70",
        description = "for randrw: the share of reads (default: ${DEFAULT-VALUE})")
    int readPercent;

    @Option(names = {"--qd", "--iodepth"}, paramLabel = "N", defaultValue = "32", description = "iocbs kept in flight (default: ${DEFAULT-VALUE})")
    int queueDepth;

    @Option(names = {"--duration", "--runtime"}, paramLabel = "TIME", defaultValue = "10s", description = "how long to run (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = {"--ramp", "--ramp_time"}, paramLabel = "TIME", defaultValue = "0s",
        description = "run this long first, left out of every figure (default: ${DEFAULT-VALUE})")
    String ramp;

    @Option(names = "--ios", paramLabel = "N", description = "stop after N iocbs instead of after --duration")
    Long ioLimit;

    @Option(names = "--attrs", paramLabel = "LIST",
        description = "attributes to ask for, comma-separated, or none (default: timing,page-cache,path; timing,path with --direct)")
    String attributes;

    @Option(names = "--reapers", paramLabel = "N", defaultValue = "1", description = "reapers (default: ${DEFAULT-VALUE})")
    int reapers;

    @Option(names = "--reaper-mode", paramLabel = "MODE", defaultValue = "process",
        description = "process (separate JVMs reaping through shared memory), thread, or caller (the submitting thread "
            + "reaps its own events, as fio does) (default: ${DEFAULT-VALUE})")
    BenchOptions.ReaperMode reaperMode;

    @Option(names = "--direct", description = "open the file with O_DIRECT")
    boolean direct;

    @Option(names = "--write-device", description = "let a write workload write to the block device --file names "
        + "(it overwrites what is on it)")
    boolean writeDevice;

    @Option(names = "--cold", description = "evict the file's pages from the page cache before the run, as fio's "
        + "invalidate=1 does (not on tmpfs, which keeps its pages); without it they are read in first")
    boolean cold;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
        description = "auto (io_uring where the kernel allows it), io_uring or threads (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "worker threads of the threads backend (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--ring", paramLabel = "SIZE", defaultValue = "1m", description = "ring data bytes (default: ${DEFAULT-VALUE})")
    String ringSize;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "write the latency histogram for HdrHistogram's plotter")
    Path hgrm;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final AttributeRegistry registry = AttributeRegistry.discover();
        final BenchOptions options = options(registry);
        final boolean temporary = file == null;
        final SignalStop stop = SignalStop.install();
        try {
            BenchLeftovers.removeStale(Path.of(System.getProperty("java.io.tmpdir")));
            final Path path = temporary ? Files.createTempFile(BenchLeftovers.prefix(), ".dat") : file;
            try {
                // A block device's page cache goes with its last close: the descriptor that warmed it stays open
                // until the run is over.
                try (AutoCloseable warm = BenchFile.prepare(path, options, temporary, spec.commandLine().getErr(), stop)) {
                    return run(options, path, registry, stop);
                }
            } finally {
                if (temporary) {
                    Files.deleteIfExists(path);
                }
            }
        } finally {
            stop.done();
        }
    }

    private static long existingSize(final Path path) {
        try {
            return Files.size(path);
        } catch (final IOException e) {
            return -1; // opening it says what is wrong
        }
    }

    /** @return the options, checked, in units */
    private BenchOptions options(final AttributeRegistry registry) {
        final boolean blockDevice = file != null && BenchFile.isBlockDevice(file);
        final long fileSize;
        if (blockDevice) {
            check(!workload.writes() || writeDevice, "--file " + file + " is a block device: writing would overwrite what "
                + "is on it; add --write-device to mean it, or use --rw randread or read");
            final long deviceSize;
            try {
                deviceSize = BenchFile.deviceSize(file);
            } catch (final IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--file " + file + ": cannot open it: " + e.getMessage());
            }
            fileSize = size == null ? deviceSize : size(size, "--size");
            check(fileSize <= deviceSize, "--size " + size + " (" + Sizes.human(fileSize) + ") is more than " + file
                + " holds (" + Sizes.human(deviceSize) + ")");
        } else if (size == null && file != null && Files.isRegularFile(file) && existingSize(file) > 0) {
            fileSize = existingSize(file); // as fio: an existing file is used at its own size
        } else {
            fileSize = size(size == null ? "1g" : size, "--size");
        }
        check(!(cold && direct), "--cold with --direct: O_DIRECT reads bypass the page cache already");
        if (cold) {
            final Path where = file != null ? file : Path.of(System.getProperty("java.io.tmpdir"));
            final String type = BenchFile.fileSystemType(where);
            check(!type.equals("tmpfs") && !type.equals("ramfs"), "--cold: " + where + " is on " + type
                + ", which keeps its pages in memory whatever is asked, so nothing can be evicted; use a file on a disk");
        }
        final long bs = size(blockSize, "--bs");
        final long durationNanos = durationNanos();
        final long ringLong = size(ringSize, "--ring");
        final String badRing = io.aioring.ring.RingDescriptor.checkDataLength(ringLong);
        check(badRing == null, "--ring " + ringSize + " (" + Sizes.human(ringLong) + ") must be a power of two from 1k to 1g");
        final int ringBytes = (int) ringLong;
        check(bs >= 512 && bs <= 16 << 20 && Long.bitCount(bs) == 1, "--bs must be a power of two from 512 to 16m, not " + blockSize);
        check(fileSize >= bs, "--size (" + Sizes.human(fileSize) + ") must be at least --bs (" + blockSize + ")");
        check(queueDepth >= 1 && queueDepth <= 4096, "--qd must be 1 to 4096, not " + queueDepth);
        check(reapers >= 1 && reapers <= 16, "--reapers must be 1 to 16, not " + reapers);
        check(workers >= 1 && workers <= 256, "--workers must be 1 to 256, not " + workers);
        check(readPercent >= 0 && readPercent <= 100, "--rwmixread must be 0 to 100, not " + readPercent);
        check(ioLimit == null || ioLimit > 0, "--ios must be positive");
        check(file == null || !Files.isDirectory(file), "--file " + file + " is a directory; give a file in it");
        if (hgrm != null) {
            final Path parent = hgrm.toAbsolutePath().getParent();
            check(parent == null || Files.isDirectory(parent), "--hgrm " + hgrm + ": " + parent
                + (Files.exists(parent) ? " is not a directory" : " does not exist"));
            check(!Files.isDirectory(hgrm), "--hgrm " + hgrm + " is a directory; give a file");
        }
        final int backendCode = switch (backend.toLowerCase(Locale.ROOT)) {
            case "auto" -> SetupDescriptor.BACKEND_AUTO;
            case "io_uring", "io-uring", "iouring" -> SetupDescriptor.BACKEND_IO_URING;
            case "threads" -> SetupDescriptor.BACKEND_THREADS;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                "--backend must be auto, io_uring or threads, not " + backend);
        };
        final long rampNanos;
        try {
            rampNanos = ramp.trim().matches("0+(\\.0*)?(ms|s|m|h)?") ? 0 : Sizes.nanos(ramp);
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ramp: " + e.getMessage());
        }
        final int[] attributeIds = attributeIds(registry);
        final AioAttribute timing = registry.byName("timing");
        check(hgrm == null || timing != null && java.util.Arrays.stream(attributeIds).anyMatch(id -> id == timing.id()),
            "--hgrm needs the timing attribute (the histogram is of its latencies): add timing to --attrs");
        return new BenchOptions(file, fileSize, bs, workload, readPercent, queueDepth, rampNanos, durationNanos, ioLimit,
            attributeIds, reapers, reaperMode, direct, cold, blockDevice, backendCode, workers, ringBytes, json, hgrm);
    }

    private int run(final BenchOptions options, final Path path, final AttributeRegistry registry, final SignalStop stop)
        throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try (Arena arena = Arena.ofShared()) {
            final Errno errno = new Errno(arena);
            final int flags = (options.workload().writes() ? Linux.O_RDWR : Linux.O_RDONLY) | Linux.O_CLOEXEC
                | (options.direct() ? Linux.O_DIRECT : 0);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, path.toString()).address(), flags, 0644);
            if (fd < 0) {
                throw new IOException("cannot open " + path + (options.direct() ? " with O_DIRECT" : "") + ": " + Errno.name(-fd));
            }
            // The eventfd socket (the default flags) gives every reaper a liveness connection, which no write to the
            // ring file can fake: without it, a spoofed producer_pid, heartbeat or PRODUCER_CLOSED made the reapers
            // leave a live engine. No reaper of the bench sleeps on the eventfd (they poll), so the ring asks the
            // engine not to signal it (NOTIFY_DISABLED): a signal per publish would be a system call nobody reads.
            final SetupParams params = new SetupParams().backend(options.backend()).ringDataBytes(options.ringBytes())
                .workers(options.workers())
                .maxInFlight(Math.max(64, options.queueDepth())).overflowBound(65_536);
            final AioContext context;
            try {
                context = AioContext.setup(params, registry);
            } catch (final RuntimeException e) {
                Linux.close(errno, fd);
                throw e;
            }
            context.ring().setFlags(io.aioring.ring.RingDescriptor.FLAG_NOTIFY_DISABLED);
            // bench winds up on a signal itself (report, then destroy, under SignalStop): the library's exit hook
            // must not destroy the context under it meanwhile.
            context.destroyAtExit(false);
            if (!options.json()) {
                err.println("aioring bench: the ring is " + context.ringPath() + " (watch it: aioring trace "
                    + context.ringPath() + ")");
            }
            try (BenchReapers reapers = BenchReapers.start(options, context.ringPath())) {
                final MemorySegment buffers = arena.allocate(options.bs() * options.queueDepth(), 4096);
                buffers.fill((byte) 0x5A);
                context.registerMemory(buffers);
                if (!reapers.awaitReady(stop)) {
                    err.println("aioring bench: stopped by a signal before the run began (a reaper was starting); "
                        + "no report");
                    return 1;
                }
                if (!options.json()) {
                    err.println("aioring bench: reapers ready; running" + (options.ioLimit() != null ? ""
                        : String.format(Locale.ROOT, " for %.1f s", (options.durationNanos() + options.rampNanos()) / 1e9)));
                }
                final BenchWorkload workload = new BenchWorkload(options, context, fd, buffers.address(), err, stop,
                    reapers::problem);
                final BenchWorkload.EngineSide engine;
                try {
                    engine = workload.run();
                } catch (final InternalError e) {
                    // SIGBUS on the ring's pages: someone truncated its file under the run (the engine gives the
                    // mapping up as docs/abi.md 2.13 says; bench's own reads of head and tail fault here).
                    err.println("aioring bench: the ring's memory faulted: " + context.ringPath() + " was truncated "
                        + "under the run; stopped, no report");
                    context.destroy();
                    return 1;
                }
                if (workload.failure() != null) {
                    err.println("aioring bench: " + workload.failure() + "; stopped after " + String.format(Locale.ROOT,
                        "%.1f", engine.elapsedNanos() / 1e9) + " s, no report");
                    final Path ring = context.ringPath();
                    if (context.destroy() > 0) {
                        drainLeftovers(ring); // what destroy left for reapers: no one else will come for it
                    }
                    return 1;
                }
                final int leftAtDestroy = context.destroy();
                final BenchRecorder total = reapers.finish();
                total.add(workload.callerRecorder());
                final BenchReport report = new BenchReport(options, path, context.backend(), context.backendRefusal(),
                    engine, total, leftAtDestroy,
                    options.attributeIds().length > 0 ? registry : null);
                if (options.json()) {
                    out.println(report.json());
                } else {
                    out.print(report.text());
                }
                out.flush();
                if (options.hgrm() != null) {
                    report.writeHgrm(options.hgrm());
                }
                if (total.events != engine.submitted() || total.rampEvents != engine.rampSubmitted()) {
                    err.println("aioring bench: " + engine.submitted() + " iocbs submitted (+" + engine.rampSubmitted()
                        + " during the ramp) but " + total.events + " events reaped (+" + total.rampEvents + ")");
                    return 1;
                }
                if (stop.requested()) {
                    err.println("aioring bench: stopped early by a signal; the report covers the " + String.format(Locale.ROOT,
                        "%.1f", engine.elapsedNanos() / 1e9) + " s it ran");
                    return 1;
                }
                if (total.errors > 0) {
                    err.println("aioring bench: " + total.errors + " of " + total.events + " I/Os failed (the first: "
                        + Errno.describeResult(total.firstError) + "); iops counts only those that succeeded");
                    return 1;
                }
                return 0;
            } finally {
                if (!context.isDestroyed()) {
                    context.destroy();
                }
                Linux.close(errno, fd);
            }
        }
    }

    /** Drains (and so removes) the ring and overflow files a destroy left when the bench's own reapers failed. */
    private static void drainLeftovers(final Path ring) {
        try (io.aioring.abi.ContextReaper reaper = io.aioring.abi.ContextReaper.open(ring)) {
            reaper.reap(event -> { }, Integer.MAX_VALUE, 1 << 20, new org.agrona.concurrent.BackoffIdleStrategy(), 10_000_000_000L);
        } catch (final RuntimeException e) {
            // The files stay; the error the user needs was printed.
        }
    }

    private int[] attributeIds(final AttributeRegistry registry) {
        // page-cache says nothing true about O_DIRECT reads (docs/abi.md 3.3), so --direct leaves it out by default.
        final String list = (attributes != null ? attributes : direct ? "timing,path" : "timing,page-cache,path").trim().toLowerCase(Locale.ROOT);
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
