package io.aioring.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.EngineState;
import io.aioring.abi.EventView;
import io.aioring.abi.layout.ContextArea;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.ring.RecordHandler;
import io.aioring.ring.Ring;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingObserver;

import org.agrona.DirectBuffer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aioring trace RING-FILE}: watches a running context's events without taking them (a {@link RingObserver}
 * following tail) and prints, every interval, a log2 histogram of submit-to-completion latency (from the timing
 * attribute, in the style of biolatency) and the page-cache hit ratio, with how many events it missed.
 */
@Command(name = "trace",
    mixinStandardHelpOptions = true,
    description = {"Attach to a running context's ring and print live per-I/O latency histograms and page-cache "
        + "hit/miss, without taking any event from its reapers."})
final class TraceCommand implements Callable<Integer>, RecordHandler {
    @Parameters(paramLabel = "RING-FILE", description = "the context's ring file")
    Path ring;

    @Option(names = "--duration", paramLabel = "TIME", description = "stop after TIME (default: until Ctrl-C or the context ends)")
    String duration;

    @Option(names = "--interval", paramLabel = "TIME", defaultValue = "1s", description = "print every TIME (default: ${DEFAULT-VALUE})")
    String interval;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final EventView view = new EventView();
    private final long[] buckets = new long[64];
    private long events;
    private long timed;
    private long hits;
    private long partials;
    private long misses;
    private long lastSequence = -1;
    private long missedEvents;
    private long totalEvents;

    @Override
    public Integer call() throws Exception {
        final long durationNanos = duration == null ? Long.MAX_VALUE : parse(duration, "--duration");
        final long intervalNanos = parse(interval, "--interval");
        final PrintWriter out = spec.commandLine().getOut();
        final SignalStop stop = SignalStop.install();
        try (RingFile file = RingFile.open(ring, ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final Ring r = file.ring();
            final ContextArea area = (r.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) != 0
                ? new ContextArea(r.buffer()) : null;
            long nextLivenessCheck = System.nanoTime();
            int exit = 0;
            final RingObserver observer = new RingObserver(r);
            observer.skipToTail();
            out.printf("Tracing %s (engine pid %d); %s.%n", ring, r.producerPid(),
                duration == null ? "Ctrl-C to end" : "for " + duration);
            out.flush();
            final long start = System.nanoTime();
            long nextPrint = start + intervalNanos;
            while (System.nanoTime() - start < durationNanos && !stop.requested()) {
                final int seen = observer.poll(this, 1 << 16);
                final long now = System.nanoTime();
                if (now - nextPrint >= 0) {
                    print(out, (now - start) / 1e9, observer);
                    nextPrint += intervalNanos;
                }
                if (seen == 0) {
                    if (r.isProducerClosed() && observer.cursor() == r.tail()) {
                        print(out, (System.nanoTime() - start) / 1e9, observer);
                        out.println("The context closed its ring.");
                        break;
                    }
                    if (area != null && now - nextLivenessCheck >= 0 && observer.cursor() == r.tail()) {
                        // Once a heartbeat period: an engine that died closes nothing, so look for it.
                        nextLivenessCheck = now + area.heartbeatPeriodNanos();
                        if (EngineState.of(r, area, now) == EngineState.GONE) {
                            print(out, (now - start) / 1e9, observer);
                            out.printf("The context's engine (pid %d) is gone: nothing more will come.%n", r.producerPid());
                            exit = 1;
                            break;
                        }
                    }
                    Thread.sleep(0, 200_000);
                }
            }
            if (stop.requested()) {
                print(out, (System.nanoTime() - start) / 1e9, observer);
                out.println("Stopped by a signal.");
            }
            out.printf("%,d events observed, %,d missed (%,d bytes of records lapped by the reapers).%n", totalEvents,
                missedEvents, observer.missedBytes());
            out.flush();
            return exit;
        } finally {
            stop.done();
        }
    }

    @Override
    public void onRecord(final int type, final DirectBuffer buffer, final int index, final int length) {
        if (type != EventDescriptor.RECORD_TYPE) {
            return;
        }
        final EventView e = view.wrap(buffer, index, length);
        events++;
        totalEvents++;
        final long sequence = e.sequence();
        if (lastSequence >= 0 && sequence > lastSequence + 1) {
            missedEvents += sequence - lastSequence - 1;
        }
        lastSequence = Math.max(lastSequence, sequence);
        final long submit = TimingAttribute.submitNanos(e);
        if (submit >= 0) {
            final long micros = Math.max(0, (TimingAttribute.completeNanos(e) - submit) / 1000);
            buckets[micros == 0 ? 0 : 64 - Long.numberOfLeadingZeros(micros)]++;
            timed++;
        }
        switch (PageCacheAttribute.outcome(e)) {
            case PageCacheAttribute.HIT -> hits++;
            case PageCacheAttribute.PARTIAL -> partials++;
            case PageCacheAttribute.MISS -> misses++;
            default -> {
                // no page-cache record
            }
        }
    }

    private void print(final PrintWriter out, final double at, final RingObserver observer) {
        out.printf(Locale.ROOT, "%n[%6.1fs] %,d events, %,d missed so far", at, events, missedEvents);
        final long reads = hits + partials + misses;
        if (reads > 0) {
            out.printf(Locale.ROOT, "; page cache: %.1f%% hit, %.1f%% partial, %.1f%% miss", 100.0 * hits / reads,
                100.0 * partials / reads, 100.0 * misses / reads);
        }
        out.println();
        if (timed == 0) {
            out.println("     (no timing attribute on these events: no latency histogram)");
        } else {
            int last = 63;
            while (last > 0 && buckets[last] == 0) {
                last--;
            }
            long max = 1;
            for (final long b : buckets) {
                max = Math.max(max, b);
            }
            out.println("     usecs (submit -> complete, timing attribute) : count     distribution");
            for (int i = 0; i <= last; i++) {
                final long low = i == 0 ? 0 : 1L << (i - 1);
                final long high = i == 0 ? 0 : (1L << i) - 1;
                final int stars = (int) (40 * buckets[i] / max);
                out.printf(Locale.ROOT, "%10d -> %-10d : %-9d |%-40s|%n", low, high, buckets[i], "*".repeat(stars));
            }
        }
        out.flush();
        Arrays.fill(buckets, 0);
        events = 0;
        timed = 0;
        hits = 0;
        partials = 0;
        misses = 0;
    }

    private long parse(final String text, final String option) {
        try {
            return Sizes.nanos(text);
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }
}
