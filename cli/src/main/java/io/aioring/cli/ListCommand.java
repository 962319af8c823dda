package io.aioring.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.aioring.abi.EngineState;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.ring.Ring;
import io.aioring.ring.RingFile;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code aioring ls [DIR]}: the rings in a directory (by default /dev/shm, where contexts make them), one line
 * each: whose, in what state, on which backend, how much unread. Finds rings to trace or inspect, and the ones a
 * dead or destroyed engine left for a reaper. Reads only.
 */
@Command(name = "ls",
    mixinStandardHelpOptions = true,
    description = {"List the aioring ring files in a directory (default /dev/shm): producer pid, engine state, "
        + "backend, unread bytes, events on the overflow list.", "Reads only: it never moves head."})
final class ListCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "0..1", description = "where to look (default: /dev/shm)")
    Path dir = Path.of("/dev/shm");

    @CommandLine.Option(names = "--clean", description = "remove the files of engines that are gone or destroyed, once "
        + "reapers have taken every event of the ring and of its overflow file (a ring with events left is kept)")
    boolean clean;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), dir + " is not a directory");
        }
        final List<Path> rings;
        try (Stream<Path> files = Files.list(dir)) {
            // Regular files of the directory itself: a symbolic link is not followed out of it (it could point
            // anywhere a writer of the directory likes).
            rings = files.filter(f -> f.getFileName().toString().endsWith(".ring")
                && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.printf("%-60s %-8s %-8s %-9s %12s %9s%n", "RING", "PID", "ENGINE", "BACKEND", "UNREAD", "OVERFLOW");
        int notRings = 0;
        final List<String> cleaned = new java.util.ArrayList<>();
        for (final Path path : rings) {
            final Line line = line(path);
            out.println(Printable.of(line.text()));
            notRings += line.ring() ? 0 : 1;
            if (clean && line.ring()) {
                final String outcome = RingCleaner.clean(path);
                if (outcome != null) {
                    cleaned.add(outcome);
                }
            }
        }
        final int count = rings.size() - notRings;
        out.printf("%d ring%s in %s%s%n", count, count == 1 ? "" : "s", Printable.of(dir.toString()),
            notRings == 0 ? "" : " (and " + notRings + " .ring file" + (notRings == 1 ? " that is not one)" : "s that are not)"));
        for (final String outcome : cleaned) {
            out.println(Printable.of(outcome));
        }
        out.flush();
        return 0;
    }

    /** One listed file: its line, and whether it is a ring. */
    private record Line(String text, boolean ring) {
    }

    /** One ring's line; a file that is no ring (or not yet one) says why instead. */
    private static Line line(final Path path) {
        try (RingFile file = RingFile.open(path, ContextDescriptor.KNOWN_INCOMPAT_FEATURES, false)) {
            final Ring ring = file.ring();
            final int unread = ring.tail() - ring.head();
            final String unreadText = unread < 0 || unread > ring.dataLength() ? "impossible" : Sizes.human(unread);
            if ((ring.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) == 0) {
                return new Line(String.format(Locale.ROOT, "%-60s %-8d %-8s %-9s %12s %9s", path, ring.producerPid(), "-",
                    "-", unreadText, "-"), true);
            }
            final ContextArea area = new ContextArea(ring.buffer());
            final String backend = switch (area.backend()) {
                case SetupDescriptor.BACKEND_IO_URING -> "io_uring";
                case SetupDescriptor.BACKEND_THREADS -> "threads";
                default -> "?";
            };
            return new Line(String.format(Locale.ROOT, "%-60s %-8d %-8s %-9s %12s %,9d", path, ring.producerPid(),
                EngineState.of(ring, area, System.nanoTime()).name().toLowerCase(Locale.ROOT), backend, unreadText,
                Integer.toUnsignedLong(area.overflowLength())), true);
        } catch (final RuntimeException e) {
            return new Line(String.format(Locale.ROOT, "%-60s not a ring: %s", path, e.getMessage()), false);
        }
    }
}
