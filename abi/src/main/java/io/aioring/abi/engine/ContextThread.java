package io.aioring.abi.engine;

import java.util.concurrent.locks.LockSupport;

import io.aioring.linux.Futex;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;

/**
 * The context thread: writes the heartbeat, watches the ring and overflow files for truncation, checks the head
 * reapers write, and moves the overflow list into the ring when reapers make room (woken by their doorbell).
 */
final class ContextThread {
    /** How often the engine writes its heartbeat into the ring header. */
    static final long HEARTBEAT_PERIOD_NANOS = 100_000_000L;

    private final ContextFiles files;
    private final Ring ring;
    private final CompletionPoster poster;
    private final long doorbellFallbackNanos;
    private final Thread thread;
    private volatile boolean stopped;

    ContextThread(final ContextFiles files, final CompletionPoster poster, final long doorbellFallbackNanos) {
        this.files = files;
        this.ring = files.ringFile.ring();
        this.poster = poster;
        this.doorbellFallbackNanos = doorbellFallbackNanos;
        this.thread = EngineThreads.daemon(files.name + "-context", this::run);
    }

    void start() {
        thread.start();
    }

    /** Wakes it: an event went to the overflow list. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** Stops it and waits for it to end. */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        EngineThreads.joinQuietly(thread);
    }

    private void run() {
        final Futex futex = new Futex(files.arena);
        long lastBeat = 0;
        while (!stopped) {
            final long now = System.nanoTime();
            if (now - lastBeat >= HEARTBEAT_PERIOD_NANOS) {
                beat(now);
                lastBeat = now;
            }
            if (poster.overflowLength() > 0 && poster.corruption() == null) {
                final int seen = ring.doorbell();
                poster.flush();
                if (poster.overflowLength() > 0 && !stopped) {
                    // Woken by a reaper's doorbell (futex wake), or after a short wait as a fallback.
                    ring.awaitDoorbell(futex, seen, doorbellFallbackNanos);
                }
            } else {
                LockSupport.parkNanos(this, HEARTBEAT_PERIOD_NANOS);
            }
        }
    }

    /**
     * The heartbeat: a look at the file's size first (a truncated file's lost pages must not be touched), then the
     * heartbeat word and a check of head.
     */
    private void beat(final long now) {
        if (!poster.overflowFileGivenUp() && overflowFileTruncated()) {
            poster.overflowFileTruncated(); // before anyone writes an event into the lost pages
        }
        if (poster.mappingLost()) {
            return;
        }
        final long size = fileSizeOrMinusOne();
        if (size >= 0 && size < ring.fileLength()) {
            poster.fileTruncated(size);
            return;
        }
        try {
            ring.heartbeat(now);
        } catch (final InternalError e) {
            poster.fileTruncated(fileSizeOrMinusOne()); // it shrank after the look
            return;
        }
        poster.totals().publish(); // just after the look at the size, off the completion path (docs/abi.md 2.14)
        poster.postStaged(); // what was queued while the publish held the post lock was left to its holder
        poster.checkHead();
    }

    /** @return true if the overflow file is now smaller than its ring (or cannot be looked at) */
    private boolean overflowFileTruncated() {
        try {
            return files.overflowFile.isTruncated();
        } catch (final RuntimeException e) {
            return true;
        }
    }

    private long fileSizeOrMinusOne() {
        try {
            return files.ringFile.size();
        } catch (final java.io.UncheckedIOException e) {
            return -1;
        }
    }
}
