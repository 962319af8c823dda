package io.aioring.abi.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.EngineState;
import io.aioring.abi.SetupException;
import io.aioring.abi.SetupParams;
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
 * with what it holds. The events in the ring stay for its reapers; the events its overflow file held are taken out
 * of it as a reaper takes them (compare-and-set, so a reaper draining it meanwhile and this engine never both get
 * one) and go ahead of the new engine's own; the next sequence follows the highest seen anywhere.
 *
 * @param ring         the ring file, mapped
 * @param events       the old overflow file's events, oldest first, encoded as they will enter the ring
 * @param nextSequence one past every sequence in the ring, in reaped_sequence, and in those events
 * @param oldOverflow  the old overflow file, removed once setup is done; or null
 */
record Reattached(RingFile ring, List<byte[]> events, long nextSequence, Path oldOverflow) {
    /**
     * @throws SetupException naming ring_path or ring_data_bytes when the file is no context's ring, its engine
     *                        still runs, its ring is corrupted, or its size is not the one asked for
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
            requireGone(ring, area, path);
            long next = area.reapedSequence();
            final long[] highest = {next};
            // What the ring holds unread: its sequences count (the records stay for the reapers).
            new RingObserver(ring).poll((type, buffer, index, length) -> highest[0] = Math.max(highest[0],
                sequenceAfter(type, buffer, index, length)), Integer.MAX_VALUE);
            final List<byte[]> events = new ArrayList<>();
            Path oldOverflow = null;
            final String overflowPath = area.overflowPath();
            if (overflowPath != null && Files.exists(Path.of(overflowPath))) {
                oldOverflow = Path.of(overflowPath);
                final String[] bad = {null};
                final io.aioring.abi.EventView view = new io.aioring.abi.EventView();
                try (RingFile old = RingFile.open(oldOverflow, ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
                    final RingReaper reaper = new RingReaper(old.ring(), RingReaper.Mode.SHARED);
                    while (reaper.poll((type, buffer, index, length) -> {
                        if (type != EventDescriptor.RECORD_TYPE) {
                            return; // not an event: the overflow file holds nothing else
                        }
                        // It will be copied into the ring as it is: it must be an event, and fit.
                        try {
                            view.wrap(buffer, index, length);
                        } catch (final io.aioring.abi.EventFormatException e) {
                            bad[0] = e.getMessage();
                            return;
                        }
                        if (length > ring.maxPayloadLength()) {
                            bad[0] = "an event of " + length + " bytes, over the ring's largest, " + ring.maxPayloadLength();
                            return;
                        }
                        final byte[] event = new byte[length];
                        buffer.getBytes(index, event);
                        events.add(event);
                        highest[0] = Math.max(highest[0], sequenceAfter(type, buffer, index, length));
                    }) > 0) {
                        // until the file is empty
                    }
                }
                if (bad[0] != null) {
                    throw new SetupException("ring_path", "FLAG_REATTACH: the overflow file " + oldOverflow
                        + " holds what no engine wrote: " + bad[0]);
                }
            }
            return new Reattached(file, events, highest[0], oldOverflow);
        } catch (final RuntimeException e) {
            file.close();
            throw e instanceof SetupException ? e : new SetupException("ring_path", "FLAG_REATTACH: " + e.getMessage(), e);
        }
    }

    /** The old overflow file, emptied: removed once the new engine serves the ring. */
    void removeOldOverflowFile() {
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
