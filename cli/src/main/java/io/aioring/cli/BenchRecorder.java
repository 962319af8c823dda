package io.aioring.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

import io.aioring.abi.EventHandler;
import io.aioring.abi.Opcode;
import io.aioring.abi.EventView;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * What one bench reaper saw: events, errors, bytes; submit-to-reaped latency (reap time minus the timing
 * attribute's submit_ns: both CLOCK_MONOTONIC, so this works across processes), queue and service latency, and the
 * page-cache outcomes; reads and writes apart. Recording allocates nothing. Saved to a file by a reaper process
 * (JSON: the counters, and the histograms in HdrHistogram's own log format), merged by the bench.
 */
final class BenchRecorder implements EventHandler {
    private static final long MAX_NANOS = 60_000_000_000L;

    final Histogram latency = new Histogram(MAX_NANOS, 3);
    final Histogram queue = new Histogram(MAX_NANOS, 3);
    final Histogram service = new Histogram(MAX_NANOS, 3);
    /** Submit-to-reaped latency of reads and of writes apart, for randrw. */
    final Histogram readLatency = new Histogram(MAX_NANOS, 3);
    final Histogram writeLatency = new Histogram(MAX_NANOS, 3);
    /** user_data bit the bench sets on iocbs submitted during --ramp: counted, kept out of every figure. */
    static final long RAMP_BIT = 1L << 62;
    /**
     * The rest of bench's user data: the submitter's System.nanoTime() when it wrote the iocb (CLOCK_MONOTONIC, the
     * same clock in every process of the machine), so that a reaper measures submit -> reaped without the timing
     * attribute too, as fio always has clat.
     */
    static final long STAMP_MASK = RAMP_BIT - 1;

    long events;
    long rampEvents;
    long errors;
    long bytes;
    long hits;
    long partials;
    long misses;
    long residentBytes;
    /** Bytes the reads with a page-cache record asked for: what residentBytes is a share of. */
    long requestedBytes;
    long overflowed;
    /** By the path attribute: completed inline, later by io_uring, or by a worker. */
    long inline;
    long async;
    long worker;
    long firstError;
    /** Reads and writes apart (events, failed ones, bytes), for randrw. */
    long reads;
    long readErrors;
    long readBytes;
    long writes;
    long writeErrors;
    long writeBytes;

    @Override
    public void onEvent(final EventView event) {
        final long now = System.nanoTime();
        if ((event.userData() & RAMP_BIT) != 0) {
            rampEvents++;
            return;
        }
        events++;
        final long result = event.result();
        final boolean write = event.opcode() == Opcode.PWRITE || event.opcode() == Opcode.PWRITEV;
        if (result < 0) {
            errors++;
            if (firstError == 0) {
                firstError = result;
            }
        } else {
            bytes += result;
        }
        if (write) {
            writes++;
            writeErrors += result < 0 ? 1 : 0;
            writeBytes += Math.max(0, result);
        } else {
            reads++;
            readErrors += result < 0 ? 1 : 0;
            readBytes += Math.max(0, result);
        }
        if ((event.flags() & EventDescriptor.FLAG_OVERFLOWED) != 0) {
            overflowed++;
        }
        // Each attribute record is read once, in one walk (a typed reader per field would walk them per field).
        long submit = -1;
        long queueNanos = -1;
        long serviceNanos = -1;
        int path = -1;
        int outcome = -1;
        long resident = 0;
        long requested = 0;
        final org.agrona.DirectBuffer buffer = event.buffer();
        int at = event.firstAttribute();
        for (int i = 0, n = event.attributeCount(); i < n; i++, at = event.nextAttribute(at)) {
            if (event.attributeStatus(at) != AttributeRecordDescriptor.STATUS_HANDLED) {
                continue;
            }
            final int id = event.attributeId(at);
            final int version = event.attributeVersion(at);
            final int length = event.attributePayloadLength(at);
            final int payload = event.attributePayloadIndex(at);
            if (id == TimingAttribute.ID && version == TimingAttribute.VERSION && length >= TimingAttribute.RETURN_LENGTH) {
                submit = buffer.getLong(payload + TimingAttribute.SUBMIT_OFFSET);
                queueNanos = buffer.getLong(payload + TimingAttribute.QUEUE_OFFSET);
                serviceNanos = buffer.getLong(payload + TimingAttribute.SERVICE_OFFSET);
            } else if (id == PathAttribute.ID && version == PathAttribute.VERSION && length >= PathAttribute.RETURN_LENGTH) {
                path = buffer.getInt(payload + PathAttribute.PATH_OFFSET);
            } else if (id == PageCacheAttribute.ID && version == PageCacheAttribute.VERSION
                && length >= PageCacheAttribute.RETURN_LENGTH) {
                outcome = buffer.getInt(payload + PageCacheAttribute.OUTCOME_OFFSET);
                resident = buffer.getLong(payload + PageCacheAttribute.RESIDENT_OFFSET);
                requested = buffer.getLong(payload + PageCacheAttribute.REQUESTED_OFFSET);
            }
        }
        // The engine's accept time when the timing attribute was asked; else the submitter's own stamp.
        final long submitToReaped = clamp(submit >= 0 ? now - submit : (now - event.userData()) & STAMP_MASK);
        latency.recordValue(submitToReaped);
        (write ? writeLatency : readLatency).recordValue(submitToReaped);
        if (submit >= 0) {
            queue.recordValue(clamp(queueNanos));
            service.recordValue(clamp(serviceNanos));
        }
        switch (path) {
            case PathAttribute.INLINE -> inline++;
            case PathAttribute.ASYNC -> async++;
            case PathAttribute.WORKER -> worker++;
            default -> {
                // no path record
            }
        }
        switch (outcome) {
            case PageCacheAttribute.HIT -> hits++;
            case PageCacheAttribute.PARTIAL -> partials++;
            case PageCacheAttribute.MISS -> misses++;
            default -> {
                return; // no page-cache record
            }
        }
        residentBytes += resident;
        requestedBytes += requested;
    }

    private static long clamp(final long nanos) {
        return Math.max(0, Math.min(nanos, MAX_NANOS));
    }

    /** Every counter by name, for saving, loading and merging: one list, so that none is forgotten in one of them. */
    private static final Map<String, Counter> COUNTERS = new LinkedHashMap<>();

    private record Counter(ToLongFunction<BenchRecorder> get, ObjLongConsumer<BenchRecorder> set) {
    }

    private static void counter(final String name, final ToLongFunction<BenchRecorder> get, final ObjLongConsumer<BenchRecorder> set) {
        COUNTERS.put(name, new Counter(get, set));
    }

    static {
        counter("events", r -> r.events, (r, v) -> r.events = v);
        counter("ramp_events", r -> r.rampEvents, (r, v) -> r.rampEvents = v);
        counter("errors", r -> r.errors, (r, v) -> r.errors = v);
        counter("bytes", r -> r.bytes, (r, v) -> r.bytes = v);
        counter("hits", r -> r.hits, (r, v) -> r.hits = v);
        counter("partials", r -> r.partials, (r, v) -> r.partials = v);
        counter("misses", r -> r.misses, (r, v) -> r.misses = v);
        counter("resident_bytes", r -> r.residentBytes, (r, v) -> r.residentBytes = v);
        counter("requested_bytes", r -> r.requestedBytes, (r, v) -> r.requestedBytes = v);
        counter("overflowed", r -> r.overflowed, (r, v) -> r.overflowed = v);
        counter("inline", r -> r.inline, (r, v) -> r.inline = v);
        counter("async", r -> r.async, (r, v) -> r.async = v);
        counter("worker", r -> r.worker, (r, v) -> r.worker = v);
        counter("reads", r -> r.reads, (r, v) -> r.reads = v);
        counter("read_errors", r -> r.readErrors, (r, v) -> r.readErrors = v);
        counter("read_bytes", r -> r.readBytes, (r, v) -> r.readBytes = v);
        counter("writes", r -> r.writes, (r, v) -> r.writes = v);
        counter("write_errors", r -> r.writeErrors, (r, v) -> r.writeErrors = v);
        counter("write_bytes", r -> r.writeBytes, (r, v) -> r.writeBytes = v);
    }

    /** @return the histograms by their tag in the saved log */
    private Map<String, Histogram> histograms() {
        final Map<String, Histogram> byTag = new LinkedHashMap<>();
        byTag.put("latency", latency);
        byTag.put("queue", queue);
        byTag.put("service", service);
        byTag.put("read_latency", readLatency);
        byTag.put("write_latency", writeLatency);
        return byTag;
    }

    void add(final BenchRecorder other) {
        final long first = firstError;
        for (final Counter c : COUNTERS.values()) {
            c.set().accept(this, c.get().applyAsLong(this) + c.get().applyAsLong(other));
        }
        firstError = first != 0 ? first : other.firstError;
        final Map<String, Histogram> theirs = other.histograms();
        histograms().forEach((tag, h) -> h.add(theirs.get(tag)));
    }

    /**
     * Writes what was recorded to {@code file} as JSON — the counters, the first error, and the histograms as one
     * HdrHistogram log (HistogramLogWriter, one tagged interval each) — through a new file beside it that must not
     * exist (CREATE_NEW never follows a link planted at that name) and is then moved into place.
     */
    void save(final Path file) throws IOException {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream logStream = new PrintStream(log, false, StandardCharsets.UTF_8)) {
            final HistogramLogWriter writer = new HistogramLogWriter(logStream);
            writer.outputLogFormatVersion();
            histograms().forEach((tag, h) -> {
                h.setTag(tag);
                writer.outputIntervalHistogram(h);
            });
        }
        final Path tmp = Path.of(file + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS); JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartObject();
            for (final Map.Entry<String, Counter> c : COUNTERS.entrySet()) {
                json.writeNumberField(c.getKey(), c.getValue().get().applyAsLong(this));
            }
            json.writeNumberField("first_error", firstError);
            json.writeStringField("histograms", log.toString(StandardCharsets.UTF_8));
            json.writeEndObject();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static BenchRecorder load(final Path file) throws IOException {
        final BenchRecorder r = new BenchRecorder();
        String log = null;
        try (JsonParser json = new JsonFactory().createParser(file.toFile())) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(file + " is not a bench reaper's results");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                final String name = json.currentName();
                json.nextToken();
                if (name.equals("histograms")) {
                    log = json.getText();
                } else if (name.equals("first_error")) {
                    r.firstError = json.getLongValue();
                } else if (COUNTERS.containsKey(name)) {
                    COUNTERS.get(name).set().accept(r, json.getLongValue());
                } else {
                    json.skipChildren();
                }
            }
        }
        if (log == null) {
            throw new IOException(file + " has no histograms");
        }
        final Map<String, Histogram> byTag = r.histograms();
        final HistogramLogReader reader = new HistogramLogReader(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)));
        EncodableHistogram read;
        while ((read = reader.nextIntervalHistogram()) != null) {
            final Histogram into = byTag.get(read.getTag());
            if (into == null || !(read instanceof Histogram h)) {
                throw new IOException(file + ": an unexpected histogram, tagged " + read.getTag());
            }
            into.add(h);
        }
        return r;
    }
}
