package io.aioring.abi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.engine.PreviousRing;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.linux.FdPassing;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingObserver;
import io.aioring.ring.RingReaper;

/**
 * Setup with FLAG_REATTACH (docs/abi.md 2.8): the ring file of an engine that is gone (or destroyed), taken over
 * with what it holds. The events in the ring stay for its reapers; the events its overflow file holds are taken out
 * of it as a reaper takes them (compare-and-set, so a reaper draining it meanwhile and this engine never both get
 * one) and go ahead of the new engine's own; the next sequence follows the highest seen anywhere. They are taken
 * only by {@link #takeOldOverflow}, once everything in setup that can fail has been done: a setup that fails
 * before leaves them in the old file for the next try.
 *
 * @param ring        the ring file, mapped
 * @param highest     one past every sequence in the ring, in reaped_sequence, and in the old overflow file when
 *                    it was looked at
 * @param oldOverflow the old overflow file, removed once setup is done; or null
 */
record Reattached(RingFile ring, long highest, Path oldOverflow) implements PreviousRing {
    /**
     * Checks the ring and looks at (without taking) what its old overflow file holds.
     *
     * @throws SetupException naming ring_path or ring_data_bytes when the file is no context's ring, its engine
     *                        still runs, its ring is corrupted, its size is not the one asked for, or its overflow
     *                        file holds what no engine wrote
     */
    static Reattached take(final SetupParams params) {
        final Path path = params.ringPath();
        final RingFile file;
        try {
            file = RingFile.open(path, ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
        } catch (final RuntimeException e) {
            throw new SetupException("ring_path", "FLAG_REATTACH: " + e.getMessage(), e);
        }
        try {
            final var ring = file.ring();
            final ContextArea area = new ContextArea(ring.buffer());
            if ((ring.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) == 0
                || (ring.incompatFeatures() & ContextDescriptor.INCOMPAT_EVENTS_V1) == 0) {
                throw new SetupException("ring_path", "FLAG_REATTACH: " + path + " is not a context's ring");
            }
            if ((ring.flags() & RingDescriptor.FLAG_CORRUPTED) != 0) {
                throw new SetupException("ring_path", "FLAG_REATTACH: " + path + " is marked CORRUPTED");
            }
            if (ring.dataLength() != params.ringDataBytes()) {
                throw new SetupException("ring_data_bytes", "FLAG_REATTACH: the ring at " + path + " has "
                    + ring.dataLength() + " data bytes, not " + params.ringDataBytes());
            }
            // One engine at a time: the live one holds the file's lock, and of two re-attaching at once only one
            // gets it (both used to pass the socket check and take the ring, losing thousands of events).
            if (!file.tryLockExclusive()) {
                throw new SetupException("ring_path", "FLAG_REATTACH: the engine of " + path + " still runs, or another "
                    + "is re-attaching to it now (the ring file's lock is held)");
            }
            // A reaper that drained a gone engine's files removes them holding this lock: once it is ours, the path
            // must still name the file we locked, or we would take over a ring no one can find (docs/abi.md 2.8).
            if (!file.pathNamesThisFile()) {
                throw new SetupException("ring_path", "FLAG_REATTACH: " + path + " was removed or replaced while this "
                    + "setup opened it (a reaper that drained it removes it)");
            }
            requireGone(ring, area, path);
            final long[] highest = {area.reapedSequence()};
            // What the ring holds unread: its sequences count (the records stay for the reapers).
            new RingObserver(ring).poll((type, buffer, index, length) -> highest[0] = Math.max(highest[0],
                sequenceAfter(type, buffer, index, length)), Integer.MAX_VALUE);
            Path oldOverflow = null;
            final String overflowPath = area.overflowPath();
            if (overflowPath != null && Files.exists(Path.of(overflowPath))) {
                oldOverflow = Path.of(overflowPath);
                try (RingFile old = RingFile.open(oldOverflow, ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
                    final EventCheck check = new EventCheck(ring.maxPayloadLength());
                    new RingObserver(old.ring()).poll((type, buffer, index, length) -> {
                        if (check.accepts(type, buffer, index, length)) {
                            highest[0] = Math.max(highest[0], sequenceAfter(type, buffer, index, length));
                        }
                    }, Integer.MAX_VALUE);
                    check.refuseIfBad(oldOverflow);
                }
            }
            return new Reattached(file, highest[0], oldOverflow);
        } catch (final RuntimeException e) {
            file.close();
            throw e instanceof SetupException ? e : new SetupException("ring_path", "FLAG_REATTACH: " + e.getMessage(), e);
        }
    }

    /**
     * Takes every event out of the old overflow file, as a shared reaper does; the last step of setup that can lose
     * anything, so it comes after every step that can fail.
     *
     * @throws SetupException if the file now holds what no engine wrote (it changed since {@link #take})
     */
    @Override
    public Taken takeOldOverflow() {
        final List<byte[]> events = new ArrayList<>();
        final long[] next = {highest};
        if (oldOverflow == null || !Files.exists(oldOverflow)) {
            return new Taken(events, next[0]);
        }
        try (RingFile old = RingFile.open(oldOverflow, ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final EventCheck check = new EventCheck(ring.ring().maxPayloadLength());
            final RingReaper reaper = new RingReaper(old.ring(), RingReaper.Mode.SHARED);
            while (reaper.poll((type, buffer, index, length) -> {
                if (check.accepts(type, buffer, index, length)) {
                    final byte[] event = new byte[length];
                    buffer.getBytes(index, event);
                    events.add(event);
                    next[0] = Math.max(next[0], sequenceAfter(type, buffer, index, length));
                }
            }) > 0) {
                // until the file is empty
            }
            check.refuseIfBad(oldOverflow);
        } catch (final java.io.UncheckedIOException e) {
            // Removed since: a reaper drained it. Nothing to take.
        }
        return new Taken(events, next[0]);
    }

    /** An overflow file's record, checked before it can reach the ring: an event, that fits (else the first reason). */
    private static final class EventCheck {
        private final int maxPayload;
        private final EventView view = new EventView();
        private String bad;

        EventCheck(final int maxPayload) {
            this.maxPayload = maxPayload;
        }

        boolean accepts(final int type, final org.agrona.DirectBuffer buffer, final int index, final int length) {
            if (type != EventDescriptor.RECORD_TYPE) {
                return false; // not an event: the overflow file holds nothing else
            }
            try {
                view.wrap(buffer, index, length);
            } catch (final io.aioring.abi.layout.EventFormatException e) {
                bad = bad != null ? bad : e.getMessage();
                return false;
            }
            if (length > maxPayload) {
                bad = bad != null ? bad : "an event of " + length + " bytes, over the ring's largest, " + maxPayload;
                return false;
            }
            return true;
        }

        void refuseIfBad(final Path file) {
            if (bad != null) {
                throw new SetupException("ring_path", "FLAG_REATTACH: the overflow file " + file
                    + " holds what no engine wrote: " + bad);
            }
        }
    }

    /** The old overflow file, emptied: removed once the new engine serves the ring. */
    @Override
    public void removeOldOverflowFile() {
        if (oldOverflow != null) {
            try {
                Files.deleteIfExists(oldOverflow);
            } catch (final java.io.IOException e) {
                // An empty file left behind; its events are in the new engine.
            }
        }
    }

    /** @return one past the event's sequence, or 0 for a record that is no event of the ring */
    private static long sequenceAfter(final int type, final org.agrona.DirectBuffer buffer, final int index, final int length) {
        if (type != EventDescriptor.RECORD_TYPE || length < EventDescriptor.HEADER_LENGTH) {
            return 0;
        }
        final long sequence = buffer.getLong(index + EventDescriptor.SEQUENCE_OFFSET);
        return sequence < 0 ? 0 : sequence + 1;
    }

    /** The ring's engine must be gone or destroyed: its socket answers no one, and its words say so. */
    private static void requireGone(final io.aioring.ring.Ring ring, final ContextArea area, final Path path) {
        final String socket = area.socketPath();
        if (socket != null && Files.exists(Path.of(socket))) {
            try {
                final int fd = FdPassing.receive(Path.of(socket));
                io.aioring.linux.Linux.close(new io.aioring.linux.Errno(), fd);
                throw new SetupException("ring_path", "FLAG_REATTACH: the engine of " + path + " still runs (its socket "
                    + socket + " answers)");
            } catch (final java.io.IOException e) {
                // No one listens: the engine that made it is gone.
            }
        }
        if (EngineState.of(ring, area, System.nanoTime()) == EngineState.RUNNING) {
            throw new SetupException("ring_path", "FLAG_REATTACH: the engine of " + path + " (pid " + ring.producerPid()
                + ") still runs");
        }
    }
}
