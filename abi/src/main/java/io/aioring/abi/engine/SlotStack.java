package io.aioring.abi.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The free slots, last in first out, without locks and without allocating: a Treiber stack of slot indexes whose
 * top word carries a tag that every change increments, so a stale top can never be swapped in (ABA). LIFO keeps a
 * few slots hot in the cache: a FIFO queue walks the whole pool (max in flight plus the overflow bound, tens of
 * thousands), touching cold memory on every iocb.
 */
final class SlotStack {
    private final int[] next;
    /** High 32 bits: tag; low 32 bits: index of the top slot plus 1 (0: empty). */
    private final AtomicLong top = new AtomicLong();

    SlotStack(final int capacity) {
        this.next = new int[capacity];
    }

    /** @param index a slot that is not on the stack */
    void push(final int index) {
        while (true) {
            final long old = top.get();
            next[index] = (int) old - 1;
            if (top.compareAndSet(old, ((old >>> 32) + 1) << 32 | (index + 1))) {
                return;
            }
        }
    }

    /** @return a free slot's index, or -1 when none is free */
    int pop() {
        while (true) {
            final long old = top.get();
            final int index = (int) old - 1;
            if (index < 0) {
                return -1;
            }
            final int below = next[index];
            if (top.compareAndSet(old, ((old >>> 32) + 1) << 32 | (below + 1))) {
                return index;
            }
        }
    }
}
