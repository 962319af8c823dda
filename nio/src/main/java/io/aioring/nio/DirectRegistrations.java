package io.aioring.nio;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.aioring.abi.AioContext;

/**
 * The caller's direct buffers, registered with a context so that an iocb can point straight at them: no copy
 * through a slot. A buffer's whole window ({@code [0, capacity)} of the buffer as the caller holds it) is
 * registered the first time it is seen and stays registered while it is in use; a program that reuses its buffers,
 * as programs with direct buffers do, registers each once. At most {@value #CAPACITY} windows are registered at a
 * time: a new one takes the place of one no operation uses (it is unregistered), and if every one is in use the
 * operation goes through a slot as a heap buffer's does.
 *
 * <p>A window that stays registered after its buffer was freed lets only this engine's own iocbs point there, and
 * the engine writes one only for a buffer an operation holds (so alive): nothing else submits to the context.
 */
final class DirectRegistrations {
    static final int CAPACITY = 64;
    /** What {@link #pin} answers when the buffer must go through a slot. */
    static final int NONE = -1;

    private final AioContext context;
    /** Window starts and ends; 0, 0 for a free entry. Written under this object's lock. */
    private final long[] starts = new long[CAPACITY];
    private final long[] ends = new long[CAPACITY];
    /** Operations in flight on each window: pinned in {@link #pin}, released from the reaper without a lock. */
    private final AtomicIntegerArray inUse = new AtomicIntegerArray(CAPACITY);
    private int used;
    private int nextVictim;

    DirectRegistrations(final AioContext context) {
        this.context = context;
    }

    /** @return the address of {@code buffer}'s byte at its position (a direct buffer) */
    static long address(final ByteBuffer buffer) {
        return MemorySegment.ofBuffer(buffer).address();
    }

    /**
     * Pins the window of a direct buffer for one operation, registering it if it is new.
     *
     * @return the entry to {@link #release} when the operation ends, or {@link #NONE} (every entry in use)
     */
    synchronized int pin(final ByteBuffer buffer) {
        final long start = address(buffer) - buffer.position();
        final long end = start + buffer.capacity();
        for (int i = 0; i < used; i++) {
            if (starts[i] <= start && end <= ends[i]) {
                inUse.incrementAndGet(i);
                return i;
            }
        }
        int entry = NONE;
        for (int i = 0; i < used; i++) {
            if (starts[i] == start) { // a window the context knows by this start (unregistering goes by start)
                if (inUse.get(i) != 0) {
                    return NONE;
                }
                context.unregisterMemory(start);
                starts[i] = 0;
                ends[i] = 0;
                entry = i;
                break;
            }
        }
        if (entry == NONE) {
            entry = freeEntry();
        }
        if (entry == NONE) {
            return NONE;
        }
        context.registerMemory(start, end - start);
        starts[entry] = start;
        ends[entry] = end;
        inUse.incrementAndGet(entry);
        return entry;
    }

    /** Ends one operation's use of {@code entry}. */
    void release(final int entry) {
        inUse.decrementAndGet(entry);
    }

    /** Under the lock: an entry never used, or one in use by nothing (its window unregistered); else NONE. */
    private int freeEntry() {
        if (used < CAPACITY) {
            return used++;
        }
        for (int tried = 0; tried < CAPACITY; tried++) {
            final int i = nextVictim;
            nextVictim = (nextVictim + 1) % CAPACITY;
            if (inUse.get(i) == 0) {
                context.unregisterMemory(starts[i]);
                starts[i] = 0;
                ends[i] = 0;
                return i;
            }
        }
        return NONE;
    }
}
