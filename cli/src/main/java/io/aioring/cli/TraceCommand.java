package io.aioring.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.EngineState;
import io.aioring.abi.EventView;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.TotalsDescriptor;
import io.aioring.abi.layout.TotalsSnapshot;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.ring.RecordHandler;
import io.aioring.ring.Ring;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingFormatException;
import io.aioring.ring.RingObserver;

import org.agrona.DirectBuffer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aioring trace RING-FILE}: every interval, a log2 histogram of the context's latency (in the style of
 * biolatency), its events, errors, bytes and page-cache outcomes — of every completion, read from the engine's
 * totals in the ring's trailer (docs/abi.md 2.14), taking no event. A ring without totals (an engine that keeps
 * none) is watched with a {@link RingObserver} instead: a sample of the events it reads before the reapers do, and
 * it says how many it missed.
 */
@Command(name = "trace",
    mixinStandardHelpOptions = true,
    description = {"Attach to a running context's ring and print, every interval, log2 latency histograms and "
        + "page-cache hit/miss of every I/O it completes, without taking any event from its reapers."})
final class TraceCommand implements Callable<Integer>, RecordHandler {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Parameters(paramLabel = "RING-FILE", description = "the context's ring file")
    Path ring;

    @Option(names = "--duration", paramLabel = "TIME", description = "stop after TIME (default: until Ctrl-C or the context ends)")
    String duration;

    @Option(names = "--interval", paramLabel = "TIME", defaultValue = "1s", description = "print every TIME (default: ${DEFAULT-VALUE})")
    String interval;

    @Option(names = {"-D", "--by-opcode"}, description = "a histogram for each opcode (as biolatency -D does for each disk)")
    boolean byOpcode;

    @Option(names = {"-T", "--timestamp"}, description = "the time of day on each interval's line")
    boolean timestamp;

    @Option(names = {"-S", "--service"}, description = "start -> complete (service) instead of submit -> complete "
        + "(the queue left out, as biolatency without -Q)")
    boolean service;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // The sample, for a ring without totals.
    private final EventView view = new EventView();
    private final long[] buckets = new long[TotalsDescriptor.BUCKETS];
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
            final TotalsSnapshot totals = totalsOf(r, out);
            final TotalsSnapshot first = totals == null ? null : taken(totals).twin();
            final TotalsSnapshot before = first == null ? null : first.twin();
            final RingObserver observer = totals == null ? new RingObserver(r) : null;
            if (observer != null) {
                observer.skipToTail();
            }
            out.printf("Tracing %s (engine pid %d), %s; %s.%n", ring, r.producerPid(),
                totals != null ? "every completion, from the engine's totals" : "a sample of the events, read before the reapers take them",
                duration == null ? "Ctrl-C to end" : "for " + duration);
            out.flush();
            long nextLivenessCheck = System.nanoTime();
            int exit = 0;
            final long start = System.nanoTime();
            long nextPrint = start + intervalNanos;
            String ending = null;
            while (System.nanoTime() - start < durationNanos && !stop.requested()) {
                final int seen = observer == null ? 0 : observer.poll(this, 1 << 16);
                final long now = System.nanoTime();
                if (now - nextPrint >= 0) {
                    print(out, now - start, totals, before, observer);
                    nextPrint += intervalNanos;
                }
                if (seen == 0) {
                    final boolean drained = observer == null || observer.cursor() == r.tail();
                    if (r.isProducerClosed() && drained) {
                        ending = "The context closed its ring.";
                        break;
                    }
                    if (area != null && now - nextLivenessCheck >= 0 && drained) {
                        // Once a heartbeat period: an engine that died closes nothing, so look for it.
                        nextLivenessCheck = now + area.heartbeatPeriodNanos();
                        if (EngineState.of(r, area, now) == EngineState.GONE) {
                            ending = String.format("The context's engine (pid %d) is gone: nothing more will come.", r.producerPid());
                            exit = 1;
                            break;
                        }
                    }
                    if (observer != null) {
                        Thread.sleep(0, 200_000);
                    } else {
                        Thread.sleep(Math.max(1, Math.min(nextPrint - now, area == null ? 100_000_000L
                            : area.heartbeatPeriodNanos()) / 1_000_000L));
                    }
                }
            }
            print(out, System.nanoTime() - start, totals, before, observer);
            if (stop.requested()) {
                out.println("Stopped by a signal.");
            } else if (ending != null) {
                out.println(ending);
            }
            if (totals != null) {
                out.printf("%s while tracing (every completion, from the engine's totals).%n",
                    TotalsText.summary(taken(totals), first, -1));
            } else {
                out.printf("%,d events observed, %,d missed (%,d bytes of records lapped by the reapers).%n", totalEvents,
                    missedEvents, observer.missedBytes());
            }
            out.flush();
            return exit;
        } finally {
            stop.done();
        }
    }

    /** @return the ring's totals, or null (said on {@code out}) if it has none this build reads */
    private static TotalsSnapshot totalsOf(final Ring r, final PrintWriter out) {
        try {
            return TotalsSnapshot.of(r);
        } catch (final RingFormatException e) {
            out.println("(" + e.getMessage() + ": watching a sample of the events instead)");
            return null;
        }
    }

    private static TotalsSnapshot taken(final TotalsSnapshot totals) {
        totals.take(); // an inconsistent copy is still the best there is: counters are read whole, only not together
        return totals;
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
            final long end = TimingAttribute.completeNanos(e);
            final long from = service ? TimingAttribute.startNanos(e) : submit;
            buckets[TotalsDescriptor.bucketOf(Math.max(0, end - from))]++;
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

    private void print(final PrintWriter out, final long elapsedNanos, final TotalsSnapshot totals, final TotalsSnapshot before,
                       final RingObserver observer) {
        final String at = String.format(Locale.ROOT, "[%6.1fs%s]", elapsedNanos / 1e9,
            timestamp ? " " + LocalTime.now().format(CLOCK) : "");
        if (totals != null) {
            printTotals(out, at, taken(totals), before);
            before.copyFrom(totals);
        } else {
            printSample(out, at);
        }
        out.flush();
    }

    private void printTotals(final PrintWriter out, final String at, final TotalsSnapshot now, final TotalsSnapshot before) {
        out.printf(Locale.ROOT, "%n%s %s%s%n", at, TotalsText.summary(now, before, -1),
            now.consistent() ? "" : " (the totals kept changing under the copy: counters may disagree)");
        final int histogram = service ? TotalsDescriptor.SERVICE_OFFSET : TotalsDescriptor.LATENCY_OFFSET;
        final String label = service ? "start -> complete" : "submit -> complete";
        if (!byOpcode) {
            TotalsText.histogram(out, now, before, -1, histogram, label);
            return;
        }
        for (int opcode = 0; opcode < now.opcodes(); opcode++) {
            if (TotalsText.delta(now, before, opcode, TotalsDescriptor.EVENTS_OFFSET) > 0) {
                out.printf(Locale.ROOT, "%nopcode = %s: %s%n", TotalsText.opcodeName(opcode), TotalsText.summary(now, before, opcode));
                TotalsText.histogram(out, now, before, opcode, histogram, label);
            }
        }
    }

    private void printSample(final PrintWriter out, final String at) {
        out.printf(Locale.ROOT, "%n%s %,d events, %,d missed so far (a sample)", at, events, missedEvents);
        final long reads = hits + partials + misses;
        if (reads > 0) {
            out.printf(Locale.ROOT, "; page cache: %.1f%% hit, %.1f%% partial, %.1f%% miss", 100.0 * hits / reads,
                100.0 * partials / reads, 100.0 * misses / reads);
        }
        out.println();
        if (timed == 0) {
            out.println("     (no timing attribute on these events: no latency histogram)");
        } else {
            TotalsText.print(out, buckets, service ? "start -> complete" : "submit -> complete");
        }
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
