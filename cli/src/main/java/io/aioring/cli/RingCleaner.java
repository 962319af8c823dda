package io.aioring.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import io.aioring.abi.EngineState;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.ring.Ring;
import io.aioring.ring.RingFile;

/**
 * {@code aioring ls --clean}: removes what a gone or destroyed engine left (the ring file, its overflow file, its
 * eventfd socket), but only once reapers have taken every event of the ring and of the overflow file: nothing a
 * reaper could still deliver is removed. The overflow file's and socket's names are the engine's own (the ring's
 * path with {@code .overflow}, {@code .overflow.PID} or {@code .sock}), never a path read from the ring's words,
 * which any writer of the file could point elsewhere.
 */
final class RingCleaner {
    private RingCleaner() {
    }

    /** @return what was done to {@code path} ("removed ..." or "kept ...: why"), or null for a live engine's ring */
    static String clean(final Path path) {
        try (RingFile file = RingFile.open(path, ContextDescriptor.KNOWN_INCOMPAT_FEATURES, false)) {
            final Ring ring = file.ring();
            if ((ring.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) == 0) {
                return null; // a ring, but no context's: not ours to remove
            }
            final ContextArea area = new ContextArea(ring.buffer());
            if (EngineState.of(ring, area, System.nanoTime()) == EngineState.RUNNING) {
                return null;
            }
            final long unread = Integer.toUnsignedLong(ring.tail() - ring.head());
            if (unread != 0) {
                return "kept " + path + ": " + unread + " bytes of events unread; reap them first";
            }
            final Path overflow = overflowFile(path, area);
            if (overflow != null) {
                try (RingFile overflowFile = RingFile.open(overflow, ContextDescriptor.KNOWN_INCOMPAT_FEATURES, false)) {
                    final long waiting = Integer.toUnsignedLong(overflowFile.ring().tail() - overflowFile.ring().head());
                    if (waiting != 0) {
                        return "kept " + path + ": its overflow file " + overflow + " holds " + waiting
                            + " bytes of events; reap them first";
                    }
                }
            }
            if (!file.tryLockExclusive()) {
                return "kept " + path + ": another process holds its lock (an engine re-attaching?)";
            }
            Files.deleteIfExists(path);
            if (overflow != null) {
                Files.deleteIfExists(overflow);
            }
            final Path socket = Path.of(path + ".sock");
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(socket)) {
                Files.deleteIfExists(socket);
            }
            return "removed " + path + (overflow != null ? " and " + overflow.getFileName() : "");
        } catch (final IOException | RuntimeException e) {
            return "kept " + path + ": " + e.getMessage();
        }
    }

    /** @return the ring's overflow file if the context area names one of the engine's own names for it, else null */
    private static Path overflowFile(final Path ring, final ContextArea area) {
        final String named = area.overflowPath();
        if (named == null) {
            return null;
        }
        final String base = ring + ".overflow";
        if (!named.equals(base) && !named.matches(java.util.regex.Pattern.quote(base) + "\\.[0-9]+")) {
            return null;
        }
        final Path overflow = Path.of(named);
        return Files.isRegularFile(overflow, LinkOption.NOFOLLOW_LINKS) ? overflow : null;
    }
}
