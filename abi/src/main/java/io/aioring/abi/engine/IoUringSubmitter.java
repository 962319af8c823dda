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

    /**
     * Before the batch's enter: its reads marked to be counted by their RWF_NOWAIT attempts stay so on a block-backed
     * file; the others are counted by cachestat now.
     *
     * @return true if one stays, so that the enter is to be watched
     */
    boolean watchesAttempts() {
        boolean watched = false;
        for (int i = 0; i < size; i++) {
            final InFlight op = batch[i];
            if (op.resident.pending()) {
                if (calls.residency.blockBacked(op)) {
                    watched = true;
                } else {
                    calls.residency.countNow(op, calls.transferLength(op));
                }
            }
        }
        return watched;
    }

    void add(final InFlight op) {
        if (size == batch.length) {
            batch = java.util.Arrays.copyOf(batch, size * 2);
        }
        batch[size++] = op;
    }
}
