package io.aioring.abi.engine;

import java.lang.foreign.MemorySegment;

/** A submitting thread's own state: its calls (errno, scratch) and the batch it is building. */
final class IoUringSubmitter {
    final SyncCalls calls;
    final MemorySegment waitScratch;
    InFlight[] batch = new InFlight[64];
    int size;
    /** Iocbs of its current batch queued to the blocking pool. */
    int threadCallsQueued;

    IoUringSubmitter(final SyncCalls calls, final MemorySegment waitScratch) {
        this.calls = calls;
        this.waitScratch = waitScratch;
    }

    /** @return true if a read of the batch is to be counted by its RWF_NOWAIT attempt, watched */
    boolean countsByAttempt() {
        for (int i = 0; i < size; i++) {
            if (batch[i].resident.pending()) {
                return true;
            }
        }
        return false;
    }

    void add(final InFlight op) {
        if (size == batch.length) {
            batch = java.util.Arrays.copyOf(batch, size * 2);
        }
        batch[size++] = op;
    }
}
