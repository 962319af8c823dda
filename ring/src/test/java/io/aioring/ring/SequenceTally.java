package io.aioring.ring;

import java.util.BitSet;

import org.agrona.DirectBuffer;

/** One reaper's record of which sequences it saw, with duplicates and torn records counted. */
final class SequenceTally implements RecordHandler {
    final BitSet seen = new BitSet();
    long duplicates;
    long torn;
    long count;

    @Override
    public void onRecord(final int type, final DirectBuffer buffer, final int index, final int length) {
        final long sequence = type == TestRecords.TYPE ? TestRecords.check(buffer, index, length) : -1;
        if (sequence < 0 || sequence > Integer.MAX_VALUE) {
            torn++;
            return;
        }
        if (seen.get((int) sequence)) {
            duplicates++;
        }
        seen.set((int) sequence);
        count++;
    }

    /** @return a description of what is wrong across all tallies for sequences [0, total), or null */
    static String verdict(final long total, final Iterable<BitSet> seenSets, final long duplicates, final long torn) {
        final BitSet union = new BitSet();
        long sum = 0;
        for (final BitSet s : seenSets) {
            sum += s.cardinality();
            union.or(s);
        }
        final long lost = total - union.cardinality();
        final long twice = sum - union.cardinality() + duplicates;
        final long beyond = union.length() > total ? union.cardinality() - union.get(0, (int) total).cardinality() : 0;
        if (lost == 0 && twice == 0 && torn == 0 && beyond == 0) {
            return null;
        }
        return "lost " + lost + ", duplicated " + twice + ", torn " + torn + ", unknown " + beyond + " of " + total;
    }
}
