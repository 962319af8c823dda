package io.aioring.cli;

import java.io.PrintWriter;
import java.util.Locale;

import io.aioring.abi.Opcode;
import io.aioring.abi.layout.TotalsDescriptor;
import io.aioring.abi.layout.TotalsSnapshot;

/**
 * Prints what a context's totals ({@link TotalsSnapshot}) say between two looks: events, errors and bytes, the
 * page-cache outcomes, and log2 latency histograms in the style of biolatency — for all opcodes, or one per opcode.
 */
final class TotalsText {
    private static final int STARS = 40;

    private TotalsText() {
    }

    /** @return {@code field} of {@code opcode} now minus before (0 if the totals started again: a re-attach) */
    static long delta(final TotalsSnapshot now, final TotalsSnapshot before, final int opcode, final int field) {
        return before == null ? now.get(opcode, field) : Math.max(0, now.get(opcode, field) - before.get(opcode, field));
    }

    /** @return {@code field} summed over every opcode, now minus before */
    static long delta(final TotalsSnapshot now, final TotalsSnapshot before, final int field) {
        long sum = 0;
        for (int opcode = 0; opcode < now.opcodes(); opcode++) {
            sum += delta(now, before, opcode, field);
        }
        return sum;
    }

    /** One line: events, errors, bytes and the page-cache outcomes of {@code opcode} (-1: every opcode). */
    static String summary(final TotalsSnapshot now, final TotalsSnapshot before, final int opcode) {
        final StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "%,d events", field(now, before, opcode, TotalsDescriptor.EVENTS_OFFSET)));
        final long errors = field(now, before, opcode, TotalsDescriptor.ERRORS_OFFSET);
        if (errors > 0) {
            line.append(String.format(Locale.ROOT, ", %,d errors", errors));
        }
        final long bytes = field(now, before, opcode, TotalsDescriptor.BYTES_OFFSET);
        if (bytes > 0) {
            line.append(", ").append(Sizes.human(bytes));
        }
        final long hits = field(now, before, opcode, TotalsDescriptor.PAGE_CACHE_HITS_OFFSET);
        final long partials = field(now, before, opcode, TotalsDescriptor.PAGE_CACHE_PARTIALS_OFFSET);
        final long misses = field(now, before, opcode, TotalsDescriptor.PAGE_CACHE_MISSES_OFFSET);
        final long direct = field(now, before, opcode, TotalsDescriptor.PAGE_CACHE_NOT_APPLICABLE_OFFSET);
        final long counted = hits + partials + misses;
        if (counted > 0) {
            line.append(String.format(Locale.ROOT, "; page cache: %.1f%% hit, %.1f%% partial, %.1f%% miss", 100.0 * hits / counted,
                100.0 * partials / counted, 100.0 * misses / counted));
        }
        if (direct > 0) {
            line.append(String.format(Locale.ROOT, "; %,d O_DIRECT (no page cache)", direct));
        }
        return line.toString();
    }

    private static long field(final TotalsSnapshot now, final TotalsSnapshot before, final int opcode, final int field) {
        return opcode < 0 ? delta(now, before, field) : delta(now, before, opcode, field);
    }

    /**
     * Prints the histogram at {@code histogram} (LATENCY_OFFSET or SERVICE_OFFSET) of {@code opcode} (-1: every
     * opcode), now minus before.
     *
     * @return false if it had no events to print
     */
    static boolean histogram(final PrintWriter out, final TotalsSnapshot now, final TotalsSnapshot before, final int opcode,
                             final int histogram, final String label) {
        final long[] buckets = new long[TotalsDescriptor.BUCKETS];
        for (int b = 0; b < buckets.length; b++) {
            final int field = histogram + b * 8;
            buckets[b] = field(now, before, opcode, field);
        }
        return print(out, buckets, label);
    }

    /**
     * Prints log2 nanosecond buckets ({@link TotalsDescriptor#bucketOf}) from the first to the last that holds any.
     *
     * @return false if every bucket was empty (nothing printed)
     */
    static boolean print(final PrintWriter out, final long[] buckets, final String label) {
        int first = 0;
        while (first < buckets.length && buckets[first] == 0) {
            first++;
        }
        if (first == buckets.length) {
            return false;
        }
        int last = buckets.length - 1;
        while (buckets[last] == 0) {
            last--;
        }
        long max = 1;
        for (final long b : buckets) {
            max = Math.max(max, b);
        }
        out.printf(Locale.ROOT, "%24s : count     distribution%n", "nsecs (" + label + ")");
        for (int b = first; b <= last; b++) {
            final long low = TotalsDescriptor.bucketLowNanos(b);
            final String high = b == TotalsDescriptor.BUCKETS - 1 ? "" : Long.toString(b == 0 ? 0 : (1L << b) - 1);
            out.printf(Locale.ROOT, "%12d -> %-12s : %-9d |%-40s|%n", low, high, buckets[b],
                "*".repeat((int) (STARS * buckets[b] / max)));
        }
        return true;
    }

    /**
     * @return the upper bound (exclusive, in nanoseconds) of the bucket where the histogram's {@code fraction}
     *         percentile falls, since {@code before} (null: since setup); -1 if it holds no event
     */
    static long percentileBound(final TotalsSnapshot now, final TotalsSnapshot before, final int opcode, final int histogram,
                                final double fraction) {
        long total = 0;
        for (int b = 0; b < TotalsDescriptor.BUCKETS; b++) {
            total += field(now, before, opcode, histogram + b * 8);
        }
        if (total == 0) {
            return -1;
        }
        final long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int b = 0; b < TotalsDescriptor.BUCKETS; b++) {
            seen += field(now, before, opcode, histogram + b * 8);
            if (seen >= rank) {
                return b == TotalsDescriptor.BUCKETS - 1 ? Long.MAX_VALUE : 1L << b;
            }
        }
        return Long.MAX_VALUE;
    }

    /** @return "p50 < 65.5 us, p99 < 131.1 us" for the latency histogram of {@code opcode} since setup */
    static String percentiles(final TotalsSnapshot now, final int opcode) {
        final long p50 = percentileBound(now, null, opcode, TotalsDescriptor.LATENCY_OFFSET, 0.50);
        final long p99 = percentileBound(now, null, opcode, TotalsDescriptor.LATENCY_OFFSET, 0.99);
        return "latency p50 < " + bound(p50) + ", p99 < " + bound(p99);
    }

    private static String bound(final long nanos) {
        return nanos == Long.MAX_VALUE ? "(more than 2^46 ns)" : Sizes.nanosText(nanos);
    }

    /** @return the opcode's name as the ABI spells it */
    static String opcodeName(final int opcode) {
        return opcode >= 0 && opcode < Opcode.COUNT ? Opcode.name(opcode) : "opcode " + opcode;
    }
}
