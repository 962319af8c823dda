package io.aioring.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.linux.Errno;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

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
        s.append(String.format(Locale.ROOT, "  file       : %s (%s%s%s%s)%n", file, Sizes.human(fileSize),
            bench.file() == null ? ", temporary" : "", bench.blockDevice() ? ", block device" : "",
            bench.direct() ? ", O_DIRECT" : bench.cold() ? ", evicted from the page cache first" : ", page cache warmed"));
        s.append(String.format(Locale.ROOT, "  attributes : %s%n", attributeNames));
        s.append(String.format(Locale.ROOT, "  iops       : %,.0f%n", iops()));
        s.append(String.format(Locale.ROOT, "  bandwidth  : %.1f MiB/s (%.1f MB/s)%n", bytesPerSecond() / (1 << 20), bytesPerSecond() / 1e6));
        s.append(String.format(Locale.ROOT, "  ios        : %,d submitted, %,d reaped, %,d errors%s%s%n", engine.submitted(),
            reaped.events, reaped.errors, reaped.errors > 0 ? " (first: " + Errno.describeResult(reaped.firstError) + ")" : "",
            engine.rampSubmitted() > 0 ? String.format(Locale.ROOT, "; %,d more during the ramp, left out", engine.rampSubmitted()) : ""));
        if (bench.workload() == BenchOptions.Workload.randrw) {
            directionLine(s, "read", reaped.reads, reaped.readErrors, reaped.readBytes, reaped.readLatency);
            directionLine(s, "write", reaped.writes, reaped.writeErrors, reaped.writeBytes, reaped.writeLatency);
        }
        if (reaped.latency.getTotalCount() > 0) {
            final Histogram h = reaped.latency;
            s.append(String.format(Locale.ROOT, "  lat (usec) : min=%s, max=%s, avg=%.2f, stdev=%.2f   (submit -> reaped%s)%n",
                us(h.getMinValue()), us(h.getMaxValue()), h.getMean() / 1000, h.getStdDeviation() / 1000,
                timing ? "" : ", by bench's clock: ask for the timing attribute for the engine's queue and service"));
            s.append("  lat percentiles (usec):\n");
            for (int i = 0; i < PERCENTILES.length; i++) {
                s.append(i % 4 == 0 ? "   | " : " ");
                s.append(String.format(Locale.ROOT, "%6.2fth=[%6s]", PERCENTILES[i], us(h.getValueAtPercentile(PERCENTILES[i]))));
                s.append(i % 4 == 3 || i == PERCENTILES.length - 1 ? "\n" : ",");
            }
            if (timing) {
                s.append(String.format(Locale.ROOT, "  queue (usec)  : p50=%s, p99=%s, max=%s   (submit -> handed to the kernel or a worker)%n",
                    us(reaped.queue.getValueAtPercentile(50)), us(reaped.queue.getValueAtPercentile(99)), us(reaped.queue.getMaxValue())));
                s.append(String.format(Locale.ROOT, "  service (usec): p50=%s, p99=%s, max=%s   (handed over -> completion seen)%n",
                    us(reaped.service.getValueAtPercentile(50)), us(reaped.service.getValueAtPercentile(99)), us(reaped.service.getMaxValue())));
            }
        } else {
            s.append("  lat        : not measured (no event reaped in the run)\n");
        }
        if (pageCache) {
            final long reads = reaped.hits + reaped.partials + reaped.misses;
            // Of the bytes those I/Os asked for, how many were in the page cache when each was made (a write's too:
            // whether the pages it wrote were resident before it).
            final String what = switch (bench.workload()) {
                case randwrite, write -> "writes";
                case randrw -> "reads and writes";
                default -> "reads";
            };
            s.append(String.format(Locale.ROOT, "  page cache : %s hit, %s partial, %s miss (%,d %s; %s of the %s they "
                    + "asked for were resident, %s)%n",
                percent(reaped.hits, reads), percent(reaped.partials, reads), percent(reaped.misses, reads), reads, what,
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

    /** randrw: one line each for reads and writes, as fio's read: and write: sections. */
    private void directionLine(final StringBuilder s, final String name, final long ios, final long errors, final long bytes,
                               final Histogram latency) {
        s.append(String.format(Locale.ROOT, "  %-11s: iops=%,.0f, bw=%.1f MiB/s, %,d ios, %,d errors", name,
            (ios - errors) / seconds(), bytes / seconds() / (1 << 20), ios, errors));
        if (latency.getTotalCount() > 0) {
            s.append(String.format(Locale.ROOT, ", lat (usec) p50=%s, p99=%s, max=%s", us(latency.getValueAtPercentile(50)),
                us(latency.getValueAtPercentile(99)), us(latency.getMaxValue())));
        }
        s.append('\n');
    }

    /**
     * The report as one line of JSON in fio's shape, so that fio's tools read it: "fio version", the time, "global
     * options" by fio's names, and a "jobs" array of one job with "read", "write" and "trim" (io_bytes, bw, iops,
     * runtime, total_ios, slat_ns, clat_ns and lat_ns with percentiles and bins), usr_cpu, sys_cpu, ctx and the
     * iodepth levels; then bench's own section, "aioring" (its options, the attributes' figures, the engine's).
     */
    String json() {
        final StringWriter text = new StringWriter();
        try (JsonGenerator j = new JsonFactory().createGenerator(text)) {
            j.writeStartObject();
            j.writeStringField("fio version", "aioring-bench-" + AioringCommand.Version.number());
            final Instant now = Instant.now();
            j.writeNumberField("timestamp", now.getEpochSecond());
            j.writeNumberField("timestamp_ms", now.toEpochMilli());
            j.writeStringField("time", now.toString());
            j.writeFieldName("global options");
            fioOptions(j);
            j.writeArrayFieldStart("jobs");
            job(j);
            j.writeEndArray();
            j.writeObjectFieldStart("aioring");
            j.writeStringField("aioring_version", AioringCommand.Version.number());
            options(j);
            j.writeStringField("workload", bench.workload().name());
            j.writeStringField("file", file.toString());
            j.writeNumberField("file_size", fileSize);
            j.writeNumberField("bs", bs);
            j.writeNumberField("qd", bench.queueDepth());
            j.writeStringField("backend", backend);
            j.writeStringField("backend_refusal", backendRefusal == 0 ? "" : Errno.name(backendRefusal));
            j.writeNumberField("workers", bench.workers());
            j.writeNumberField("reapers", bench.reapers());
            j.writeStringField("reaper_mode", bench.reaperMode().name());
            j.writeBooleanField("direct", bench.direct());
            j.writeBooleanField("cold", bench.cold());
            j.writeBooleanField("block_device", bench.blockDevice());
            j.writeStringField("attributes", attributeNames);
            decimal(j, "seconds", seconds(), 6);
            decimal(j, "iops", iops(), 1);
            decimal(j, "bytes_per_second", bytesPerSecond(), 1);
            j.writeNumberField("ramp_submitted", engine.rampSubmitted());
            j.writeNumberField("submitted", engine.submitted());
            j.writeNumberField("reaped", reaped.events);
            j.writeNumberField("errors", reaped.errors);
            j.writeStringField("first_error", reaped.errors > 0 ? Errno.describeResult(reaped.firstError) : "");
            j.writeNumberField("bytes", reaped.bytes);
            if (reaped.latency.getTotalCount() > 0) {
                summary(j, "latency_ns", reaped.latency);
            }
            if (timing && reaped.queue.getTotalCount() > 0) {
                summary(j, "queue_ns", reaped.queue);
                summary(j, "service_ns", reaped.service);
            }
            if (pageCache) {
                j.writeObjectFieldStart("page_cache");
                j.writeNumberField("hits", reaped.hits);
                j.writeNumberField("partials", reaped.partials);
                j.writeNumberField("misses", reaped.misses);
                j.writeNumberField("resident_bytes", reaped.residentBytes);
                j.writeNumberField("requested_bytes", reaped.requestedBytes);
                j.writeEndObject();
            }
            if (path) {
                j.writeObjectFieldStart("path");
                j.writeNumberField("inline", reaped.inline);
                j.writeNumberField("async", reaped.async);
                j.writeNumberField("worker", reaped.worker);
                j.writeEndObject();
            }
            j.writeNumberField("events_overflowed", engine.overflowed());
            j.writeNumberField("busy_rejections", engine.busy());
            j.writeNumberField("left_at_destroy", leftAtDestroy);
            j.writeNumberField("counter_wraps", engine.wraps());
            j.writeEndObject();
            j.writeEndObject();
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /** The job's options by fio's names (values as strings, as fio writes them). */
    private void fioOptions(final JsonGenerator j) throws IOException {
        j.writeStartObject();
        j.writeStringField("filename", file.toString());
        j.writeStringField("rw", bench.workload().name());
        if (bench.workload() == BenchOptions.Workload.randrw) {
            j.writeStringField("rwmixread", Integer.toString(bench.readPercent()));
        }
        j.writeStringField("bs", Long.toString(bs));
        j.writeStringField("size", Long.toString(fileSize));
        j.writeStringField("iodepth", Integer.toString(bench.queueDepth()));
        if (bench.ioLimit() != null) {
            j.writeStringField("number_ios", Long.toString(bench.ioLimit()));
        } else {
            j.writeStringField("runtime", bench.durationNanos() / 1_000_000 + "ms");
            j.writeStringField("time_based", "1");
        }
        j.writeStringField("ramp_time", bench.rampNanos() / 1_000_000 + "ms");
        j.writeStringField("direct", bench.direct() ? "1" : "0");
        j.writeStringField("ioengine", "aioring");
        j.writeEndObject();
    }

    /** The one job, as fio's. */
    private void job(final JsonGenerator j) throws IOException {
        j.writeStartObject();
        j.writeStringField("jobname", bench.workload().name());
        j.writeNumberField("groupid", 0);
        j.writeNumberField("error", reaped.errors > 0 ? (int) -reaped.firstError : 0);
        j.writeNumberField("elapsed", Math.round(seconds()));
        j.writeFieldName("job options");
        fioOptions(j);
        direction(j, "read", reaped.reads, reaped.readErrors, reaped.readBytes, reaped.readLatency);
        direction(j, "write", reaped.writes, reaped.writeErrors, reaped.writeBytes, reaped.writeLatency);
        direction(j, "trim", 0, 0, 0, new Histogram(3));
        j.writeNumberField("job_runtime", engine.elapsedNanos() / 1_000_000);
        final double cpuSeconds = Math.max(seconds(), 1e-9) * ProcessCpu.TICKS_PER_SECOND;
        decimal(j, "usr_cpu", 100.0 * engine.cpu().userTicks() / cpuSeconds, 6);
        decimal(j, "sys_cpu", 100.0 * engine.cpu().systemTicks() / cpuSeconds, 6);
        j.writeNumberField("ctx", engine.cpu().switches());
        j.writeNumberField("majf", 0);
        j.writeNumberField("minf", 0);
        // fio's iodepth_level: the share of submits that found each depth in flight, in percent.
        j.writeObjectFieldStart("iodepth_level");
        long all = 0;
        for (final long n : engine.depths()) {
            all += n;
        }
        final String[] levels = {"1", "2", "4", "8", "16", "32", ">=64"};
        for (int i = 0; i < levels.length; i++) {
            decimal(j, levels[i], all == 0 ? 0 : 100.0 * engine.depths()[i] / all, 6);
        }
        j.writeEndObject();
        j.writeEndObject();
    }

    /** What the run was asked, resolved, by bench's names. */
    private void options(final JsonGenerator j) throws IOException {
        j.writeObjectFieldStart("options");
        j.writeStringField("rw", bench.workload().name());
        if (bench.workload() == BenchOptions.Workload.randrw) {
            j.writeNumberField("rwmixread", bench.readPercent());
        }
        j.writeNumberField("bs", bs);
        j.writeNumberField("size", fileSize);
        j.writeNumberField("qd", bench.queueDepth());
        if (bench.ioLimit() != null) {
            j.writeNumberField("ios", bench.ioLimit());
        } else {
            j.writeNumberField("duration_ns", bench.durationNanos());
        }
        j.writeNumberField("ramp_ns", bench.rampNanos());
        j.writeStringField("attrs", attributeNames);
        j.writeStringField("backend", switch (bench.backend()) {
            case SetupDescriptor.BACKEND_IO_URING -> "io_uring";
            case SetupDescriptor.BACKEND_THREADS -> "threads";
            default -> "auto";
        });
        j.writeNumberField("workers", bench.workers());
        j.writeNumberField("reapers", bench.reapers());
        j.writeStringField("reaper_mode", bench.reaperMode().name());
        j.writeBooleanField("direct", bench.direct());
        j.writeBooleanField("cold", bench.cold());
        j.writeNumberField("ring", bench.ringBytes());
        j.writeStringField("file", bench.file() == null ? "" : bench.file().toString());
        j.writeEndObject();
    }

    /**
     * Reads, writes or trims alone, as fio's job sections: bytes, rates, ios, and the latencies — clat_ns and lat_ns
     * both submit -> reaped (bench's submit is its write of the iocb, so fio's slat is that of the engine's queue,
     * given with the timing attribute, else zero) — with percentiles and bins.
     */
    private void direction(final JsonGenerator j, final String name, final long ios, final long errors, final long bytes,
                           final Histogram latency) throws IOException {
        j.writeObjectFieldStart(name);
        j.writeNumberField("io_bytes", bytes);
        j.writeNumberField("io_kbytes", bytes / 1024);
        j.writeNumberField("bw_bytes", Math.round(bytes / Math.max(seconds(), 1e-9)));
        j.writeNumberField("bw", Math.round(bytes / 1024.0 / Math.max(seconds(), 1e-9)));
        decimal(j, "iops", (ios - errors) / Math.max(seconds(), 1e-9), 6);
        j.writeNumberField("runtime", ios == 0 ? 0 : engine.elapsedNanos() / 1_000_000);
        j.writeNumberField("total_ios", ios);
        j.writeNumberField("short_ios", 0);
        j.writeNumberField("drop_ios", 0);
        // fio's slat: the engine's queue time, for the run as a whole (the timing attribute's, when asked).
        latency(j, "slat_ns", timing && ios > 0 ? reaped.queue : new Histogram(3), false);
        latency(j, "clat_ns", latency, true);
        latency(j, "lat_ns", latency, true);
        j.writeEndObject();
    }

    /** One of fio's latency objects; with {@code detail}, its percentiles and histogram bins too. */
    private static void latency(final JsonGenerator j, final String name, final Histogram latency, final boolean detail)
        throws IOException {
        final boolean any = latency.getTotalCount() > 0;
        j.writeObjectFieldStart(name);
        j.writeNumberField("min", any ? latency.getMinValue() : 0);
        j.writeNumberField("max", any ? latency.getMaxValue() : 0);
        decimal(j, "mean", any ? latency.getMean() : 0, 6);
        decimal(j, "stddev", any ? latency.getStdDeviation() : 0, 6);
        j.writeNumberField("N", latency.getTotalCount());
        if (detail && any) {
            j.writeObjectFieldStart("percentile");
            for (final double p : PERCENTILES) {
                j.writeNumberField(String.format(Locale.ROOT, "%.6f", p), latency.getValueAtPercentile(p));
            }
            j.writeEndObject();
            // Every recorded bucket: its highest equivalent value (ns, 3 significant digits) and its count.
            j.writeObjectFieldStart("bins");
            for (final HistogramIterationValue bucket : latency.recordedValues()) {
                j.writeNumberField(Long.toString(bucket.getValueIteratedTo()), bucket.getCountAtValueIteratedTo());
            }
            j.writeEndObject();
        }
        j.writeEndObject();
    }

    /** A fractional figure in plain notation, {@code places} after the point (never 1.2E7). */
    private static void decimal(final JsonGenerator j, final String name, final double value, final int places) throws IOException {
        j.writeFieldName(name);
        j.writeNumber(String.format(Locale.ROOT, "%." + places + "f", value));
    }

    private static void summary(final JsonGenerator j, final String name, final Histogram h) throws IOException {
        j.writeObjectFieldStart(name);
        j.writeNumberField("count", h.getTotalCount());
        j.writeNumberField("min", h.getMinValue());
        j.writeNumberField("max", h.getMaxValue());
        decimal(j, "mean", h.getMean(), 1);
        decimal(j, "stdev", h.getStdDeviation(), 1);
        for (final double p : PERCENTILES) {
            j.writeNumberField("p" + String.valueOf(p).replace(".0", "").replace('.', '_'), h.getValueAtPercentile(p));
        }
        j.writeEndObject();
    }

    void writeHgrm(final Path path) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(path), false, java.nio.charset.StandardCharsets.UTF_8)) {
            reaped.latency.outputPercentileDistribution(out, 1000.0);
        }
    }

    private static String us(final long nanos) {
        final double us = nanos / 1000.0;
        return us >= 100 ? String.format(Locale.ROOT, "%.0f", us) : String.format(Locale.ROOT, "%.1f", us);
    }

    private static String percent(final long part, final long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * part / whole);
    }
}
