package io.aioring.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.linux.Errno;

import org.HdrHistogram.Histogram;

/** The bench's report: fio-style text, JSON for machines, and the histogram for HdrHistogram's plotter. */
final class BenchReport {
    private static final double[] PERCENTILES = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

    private final BenchOptions bench;
    private final String backend;
    private final int backendRefusal;
    private final Path file;
    private final long fileSize;
    private final long bs;
    private final BenchWorkload.EngineSide engine;
    private final BenchRecorder reaped;
    private final int leftAtDestroy;
    private final boolean timing;
    private final boolean pageCache;
    private final boolean path;
    private final String attributeNames;

    BenchReport(final BenchOptions bench, final Path file, final String backend, final int backendRefusal,
                final BenchWorkload.EngineSide engine,
                final BenchRecorder reaped, final int leftAtDestroy, final AttributeRegistry registry) {
        this.bench = bench;
        this.file = file;
        this.backend = backend;
        this.backendRefusal = backendRefusal;
        this.fileSize = bench.fileSize();
        this.bs = bench.bs();
        final int[] attributeIds = bench.attributeIds();
        this.engine = engine;
        this.reaped = reaped;
        this.leftAtDestroy = leftAtDestroy;
        boolean t = false;
        boolean p = false;
        boolean w = false;
        final StringBuilder names = new StringBuilder();
        for (final int id : attributeIds) {
            t |= id == TimingAttribute.ID;
            p |= id == PageCacheAttribute.ID;
            w |= id == PathAttribute.ID;
            names.append(names.isEmpty() ? "" : ", ").append(registry.byId(id).name());
        }
        this.timing = t;
        this.pageCache = p;
        this.path = w;
        this.attributeNames = names.isEmpty() ? "none" : names.toString();
    }

    /** @return the backend, with its workers or why auto did not pick io_uring */
    private String backendText() {
        if (!backend.equals("threads")) {
            return backend;
        }
        return "threads (" + bench.workers() + " workers" + (backendRefusal == 0 ? ")"
            : "; io_uring refused: " + Errno.name(backendRefusal) + ")");
    }

    private double seconds() {
        return engine.elapsedNanos() / 1e9;
    }

    /** I/Os that succeeded, per second: a failed one is counted apart (errors), as fio does. */
    private double iops() {
        return (reaped.events - reaped.errors) / seconds();
    }

    private double bytesPerSecond() {
        return reaped.bytes / seconds();
    }

    String text() {
        final StringBuilder s = new StringBuilder();
        final String reapedBy = switch (bench.reaperMode()) {
            case process -> bench.reapers() + (bench.reapers() == 1 ? " reaper process" : " reaper processes");
            case thread -> bench.reapers() + (bench.reapers() == 1 ? " reaper thread" : " reaper threads");
            case caller -> "reaped by the submitting thread";
        };
        s.append(String.format(Locale.ROOT, "aioring bench: %s, bs=%s, qd=%d, %.1f s, backend %s, %s%n",
            bench.workload(), Sizes.human(bs), bench.queueDepth(), seconds(), backendText(), reapedBy));
        s.append(String.format(Locale.ROOT, "  file       : %s (%s%s%s)%n", file, Sizes.human(fileSize),
            bench.file() == null ? ", temporary" : "", bench.direct() ? ", O_DIRECT" : ", page cache warmed"));
        s.append(String.format(Locale.ROOT, "  attributes : %s%n", attributeNames));
        s.append(String.format(Locale.ROOT, "  iops       : %,.0f%n", iops()));
        s.append(String.format(Locale.ROOT, "  bandwidth  : %.1f MiB/s (%.1f MB/s)%n", bytesPerSecond() / (1 << 20), bytesPerSecond() / 1e6));
        s.append(String.format(Locale.ROOT, "  ios        : %,d submitted, %,d reaped, %,d errors%s%s%n", engine.submitted(),
            reaped.events, reaped.errors, reaped.errors > 0 ? " (first: " + Errno.describeResult(reaped.firstError) + ")" : "",
            engine.rampSubmitted() > 0 ? String.format(Locale.ROOT, "; %,d more during the ramp, left out", engine.rampSubmitted()) : ""));
        if (timing && reaped.latency.getTotalCount() > 0) {
            final Histogram h = reaped.latency;
            s.append(String.format(Locale.ROOT, "  lat (usec) : min=%s, max=%s, avg=%.2f, stdev=%.2f   (submit -> reaped)%n",
                us(h.getMinValue()), us(h.getMaxValue()), h.getMean() / 1000, h.getStdDeviation() / 1000));
            s.append("  lat percentiles (usec):\n");
            for (int i = 0; i < PERCENTILES.length; i++) {
                s.append(i % 4 == 0 ? "   | " : " ");
                s.append(String.format(Locale.ROOT, "%6.2fth=[%6s]", PERCENTILES[i], us(h.getValueAtPercentile(PERCENTILES[i]))));
                s.append(i % 4 == 3 || i == PERCENTILES.length - 1 ? "\n" : ",");
            }
            s.append(String.format(Locale.ROOT, "  queue (usec)  : p50=%s, p99=%s, max=%s   (submit -> handed to the kernel or a worker)%n",
                us(reaped.queue.getValueAtPercentile(50)), us(reaped.queue.getValueAtPercentile(99)), us(reaped.queue.getMaxValue())));
            s.append(String.format(Locale.ROOT, "  service (usec): p50=%s, p99=%s, max=%s   (handed over -> completion seen)%n",
                us(reaped.service.getValueAtPercentile(50)), us(reaped.service.getValueAtPercentile(99)), us(reaped.service.getMaxValue())));
        } else {
            s.append("  lat        : not measured (ask for the timing attribute: --attrs timing)\n");
        }
        if (pageCache) {
            final long reads = reaped.hits + reaped.partials + reaped.misses;
            // Of the bytes those reads asked for, how many were in the page cache when each read was made.
            s.append(String.format(Locale.ROOT, "  page cache : %s hit, %s partial, %s miss (%,d reads; %s of the %s they "
                    + "asked for were resident, %s)%n",
                percent(reaped.hits, reads), percent(reaped.partials, reads), percent(reaped.misses, reads), reads,
                Sizes.human(reaped.residentBytes), Sizes.human(reaped.requestedBytes),
                percent(reaped.residentBytes, reaped.requestedBytes)));
        }
        if (path) {
            final long all = reaped.inline + reaped.async + reaped.worker;
            s.append(String.format(Locale.ROOT, "  path       : %s inline, %s async (io_uring, later), %s worker%n",
                percent(reaped.inline, all), percent(reaped.async, all), percent(reaped.worker, all)));
        }
        s.append(String.format(Locale.ROOT, "  overflow   : %,d events overflowed, %,d busy rejections, %d left at destroy (drained from the overflow file)%n",
            engine.overflowed(), engine.busy(), leftAtDestroy));
        s.append(String.format(Locale.ROOT, "  counters   : tail wrapped past 2^32 %d times%n", engine.wraps()));
        return s.toString();
    }

    String json() {
        final StringBuilder s = new StringBuilder(1024).append('{');
        field(s, "workload", bench.workload().name()).append(',');
        field(s, "file", file.toString()).append(',');
        s.append("\"file_size\":").append(fileSize).append(",\"bs\":").append(bs).append(",\"qd\":").append(bench.queueDepth());
        field(s.append(','), "backend", backend);
        s.append(",\"backend_refusal\":\"").append(backendRefusal == 0 ? "" : Errno.name(backendRefusal)).append('"');
        s.append(",\"workers\":").append(bench.workers()).append(",\"reapers\":").append(bench.reapers()).append(',');
        field(s, "reaper_mode", bench.reaperMode().name()).append(',');
        s.append("\"direct\":").append(bench.direct()).append(',');
        field(s, "attributes", attributeNames).append(',');
        s.append(String.format(Locale.ROOT, "\"seconds\":%.6f,\"iops\":%.1f,\"bytes_per_second\":%.1f,", seconds(), iops(), bytesPerSecond()));
        s.append("\"ramp_submitted\":").append(engine.rampSubmitted()).append(',');
        s.append("\"submitted\":").append(engine.submitted()).append(",\"reaped\":").append(reaped.events)
            .append(",\"errors\":").append(reaped.errors).append(",\"bytes\":").append(reaped.bytes);
        if (timing && reaped.latency.getTotalCount() > 0) {
            s.append(",\"latency_ns\":");
            histogram(s, reaped.latency);
            s.append(",\"queue_ns\":");
            histogram(s, reaped.queue);
            s.append(",\"service_ns\":");
            histogram(s, reaped.service);
        }
        if (pageCache) {
            s.append(",\"page_cache\":{\"hits\":").append(reaped.hits).append(",\"partials\":").append(reaped.partials)
                .append(",\"misses\":").append(reaped.misses).append(",\"resident_bytes\":").append(reaped.residentBytes)
                .append(",\"requested_bytes\":").append(reaped.requestedBytes).append('}');
        }
        if (path) {
            s.append(",\"path\":{\"inline\":").append(reaped.inline).append(",\"async\":").append(reaped.async)
                .append(",\"worker\":").append(reaped.worker).append('}');
        }
        s.append(",\"events_overflowed\":").append(engine.overflowed()).append(",\"busy_rejections\":").append(engine.busy())
            .append(",\"left_at_destroy\":").append(leftAtDestroy).append(",\"counter_wraps\":").append(engine.wraps());
        return s.append('}').toString();
    }

    void writeHgrm(final Path path) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(path), false, java.nio.charset.StandardCharsets.UTF_8)) {
            reaped.latency.outputPercentileDistribution(out, 1000.0);
        }
    }

    private static void histogram(final StringBuilder s, final Histogram h) {
        s.append(String.format(Locale.ROOT, "{\"count\":%d,\"min\":%d,\"max\":%d,\"mean\":%.1f,\"stdev\":%.1f", h.getTotalCount(),
            h.getMinValue(), h.getMaxValue(), h.getMean(), h.getStdDeviation()));
        for (final double p : PERCENTILES) {
            s.append(",\"p").append(String.valueOf(p).replace(".0", "").replace('.', '_')).append("\":").append(h.getValueAtPercentile(p));
        }
        s.append('}');
    }

    private static StringBuilder field(final StringBuilder s, final String name, final String value) {
        s.append('"').append(name).append("\":\"");
        for (final char c : value.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"');
    }

    private static String us(final long nanos) {
        final double us = nanos / 1000.0;
        return us >= 100 ? String.format(Locale.ROOT, "%.0f", us) : String.format(Locale.ROOT, "%.1f", us);
    }

    private static String percent(final long part, final long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * part / whole);
    }
}
