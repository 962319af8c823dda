package io.aioring.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What a bench makes in the temporary directory carries its pid ({@code aioring-bench-PID-...}), so that a later
 * bench can remove what one killed with SIGKILL left (a 1 GiB data file, a reaper results directory): only names
 * of that form, owned by this user, whose pid no longer runs.
 */
final class BenchLeftovers {
    static final String PREFIX = "aioring-bench-";

    private BenchLeftovers() {
    }

    /** @return the prefix for a temporary name of this bench: aioring-bench-PID- */
    static String prefix() {
        return PREFIX + ProcessHandle.current().pid() + "-";
    }

    /** Removes the leftovers of benches whose process is gone; says nothing when there are none or one cannot go. */
    static void removeStale(final Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (final Path entry : entries) {
                final long pid = pidOf(entry.getFileName().toString());
                if (pid <= 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    || Files.isSymbolicLink(entry)
                    || !Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS).getName().equals(currentUser())) {
                    continue;
                }
                removeTree(entry);
            }
        } catch (final IOException | RuntimeException e) {
            // A leftover stays; the bench itself is not affected.
        }
    }

    private static String currentUser() {
        return System.getProperty("user.name");
    }

    /** @return the pid in aioring-bench-PID-..., or -1 */
    static long pidOf(final String name) {
        final int end = name.indexOf('-', PREFIX.length());
        if (end <= PREFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), end));
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    private static void removeTree(final Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
