package io.aioring.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.aioring.abi.EventHandler;
import io.aioring.abi.EventView;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;

import org.HdrHistogram.Histogram;

/**
 * What one bench reaper saw: events, errors, bytes; submit-to-reaped latency (reap time minus the timing
 * attribute's submit_ns: both CLOCK_MONOTONIC, so this works across processes), queue and service latency, and the
 * page-cache outcomes. Recording allocates nothing. Saved to a file by a reaper process, merged by the bench.
 */
final class BenchRecorder implements EventHandler {
    private static final long MAX_NANOS = 60_000_000_000L;

    final Histogram latency = new Histogram(MAX_NANOS, 3);
    final Histogram queue = new Histogram(MAX_NANOS, 3);
    final Histogram service = new Histogram(MAX_NANOS, 3);
    /** user_data bit the bench sets on iocbs submitted during --ramp: counted, kept out of every figure. */
    static final long RAMP_BIT = 1L << 62;

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

    @Override
    public void onEvent(final EventView event) {
        final long now = System.nanoTime();
        if ((event.userData() & RAMP_BIT) != 0) {
            rampEvents++;
            return;
        }
        events++;
        final long result = event.result();
        if (result < 0) {
            errors++;
            if (firstError == 0) {
                firstError = result;
            }
        } else {
            bytes += result;
        }
        if ((event.flags() & EventDescriptor.FLAG_OVERFLOWED) != 0) {
            overflowed++;
        }
        final long submit = TimingAttribute.submitNanos(event);
        if (submit >= 0) {
            latency.recordValue(clamp(now - submit));
            queue.recordValue(clamp(TimingAttribute.queueNanos(event)));
            service.recordValue(clamp(TimingAttribute.serviceNanos(event)));
        }
        switch (PathAttribute.path(event)) {
            case PathAttribute.INLINE -> inline++;
            case PathAttribute.ASYNC -> async++;
            case PathAttribute.WORKER -> worker++;
            default -> {
                // no path record
            }
        }
        switch (PageCacheAttribute.outcome(event)) {
            case PageCacheAttribute.HIT -> hits++;
            case PageCacheAttribute.PARTIAL -> partials++;
            case PageCacheAttribute.MISS -> misses++;
            default -> {
                return; // no page-cache record
            }
        }
        residentBytes += PageCacheAttribute.residentBytes(event);
        requestedBytes += PageCacheAttribute.requestedBytes(event);
    }

    private static long clamp(final long nanos) {
        return Math.max(0, Math.min(nanos, MAX_NANOS));
    }

    void add(final BenchRecorder other) {
        latency.add(other.latency);
        queue.add(other.queue);
        service.add(other.service);
        events += other.events;
        rampEvents += other.rampEvents;
        inline += other.inline;
        async += other.async;
        worker += other.worker;
        errors += other.errors;
        bytes += other.bytes;
        hits += other.hits;
        partials += other.partials;
        misses += other.misses;
        residentBytes += other.residentBytes;
        requestedBytes += other.requestedBytes;
        overflowed += other.overflowed;
        if (firstError == 0) {
            firstError = other.firstError;
        }
    }

    /**
     * Writes what was recorded to {@code file}, through a new file beside it that must not exist (CREATE_NEW never
     * follows a link planted at that name) and is then moved into place.
     */
    void save(final Path file) throws IOException {
        final Path tmp = Path.of(file + ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
            for (final long v : new long[] {events, rampEvents, errors, bytes, hits, partials, misses, residentBytes, overflowed, firstError,
                inline, async, worker, requestedBytes}) {
                out.writeLong(v);
            }
            for (final Histogram h : new Histogram[] {latency, queue, service}) {
                final ByteBuffer encoded = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
                final int length = h.encodeIntoCompressedByteBuffer(encoded);
                out.writeInt(length);
                out.write(encoded.array(), 0, length);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static BenchRecorder load(final Path file) throws IOException {
        final BenchRecorder r = new BenchRecorder();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            r.events = in.readLong();
            r.rampEvents = in.readLong();
            r.errors = in.readLong();
            r.bytes = in.readLong();
            r.hits = in.readLong();
            r.partials = in.readLong();
            r.misses = in.readLong();
            r.residentBytes = in.readLong();
            r.overflowed = in.readLong();
            r.firstError = in.readLong();
            r.inline = in.readLong();
            r.async = in.readLong();
            r.worker = in.readLong();
            r.requestedBytes = in.readLong();
            for (final Histogram h : new Histogram[] {r.latency, r.queue, r.service}) {
                final byte[] encoded = new byte[in.readInt()];
                in.readFully(encoded);
                try {
                    h.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), 0));
                } catch (final java.util.zip.DataFormatException e) {
                    throw new IOException("corrupt histogram in " + file, e);
                }
            }
        }
        return r;
    }
}
