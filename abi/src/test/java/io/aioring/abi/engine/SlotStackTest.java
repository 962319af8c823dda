package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The free-slot stack: last in, first out; under contention no slot is ever handed to two takers at once. */
class SlotStackTest {
    @Test
    void lastInFirstOutAndEmptySaysSo() {
        final SlotStack stack = new SlotStack(4);
        assertEquals(-1, stack.pop());
        stack.push(2);
        stack.push(0);
        stack.push(3);
        assertEquals(3, stack.pop());
        assertEquals(0, stack.pop());
        stack.push(1);
        assertEquals(1, stack.pop());
        assertEquals(2, stack.pop());
        assertEquals(-1, stack.pop());
    }

    @Test
    @Timeout(60)
    void fourThreadsNeverHoldTheSameSlot() throws Exception {
        final int slots = 8;
        final SlotStack stack = new SlotStack(slots);
        for (int i = 0; i < slots; i++) {
            stack.push(i);
        }
        final AtomicIntegerArray held = new AtomicIntegerArray(slots);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 500_000; i++) {
                        final int a = stack.pop();
                        final int b = stack.pop();
                        for (final int s : new int[] {a, b}) {
                            if (s >= 0 && !held.compareAndSet(s, 0, 1)) {
                                throw new AssertionError("slot " + s + " handed out twice");
                            }
                        }
                        for (final int s : new int[] {b, a}) {
                            if (s >= 0) {
                                held.set(s, 0);
                                stack.push(s);
                            }
                        }
                    }
                } catch (final Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads) {
            thread.join();
        }
        assertNull(failure.get());
        final BitSet seen = new BitSet();
        int index;
        while ((index = stack.pop()) >= 0) {
            assertFalse(seen.get(index), "slot " + index + " on the stack twice");
            seen.set(index);
        }
        assertEquals(slots, seen.cardinality(), "every slot came back");
    }
}
