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

    @CommandLine.Option(names = "--json", description = "print one JSON object per file, an array in all")
    boolean json;

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
        final List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            // Regular files of the directory itself: a symbolic link is not followed out of it (it could point
            // anywhere a writer of the directory likes).
            files = entries.filter(f -> f.getFileName().toString().endsWith(".ring")
                && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        final PrintWriter out = spec.commandLine().getOut();
        final List<Entry> entries = new java.util.ArrayList<>();
        for (final Path path : files) {
            final Entry entry = entry(path);
            entries.add(clean && entry.ring() ? entry.cleaned(RingCleaner.clean(path)) : entry);
        }
        if (json) {
            json(out, entries);
            return 0;
        }
        out.printf("%-60s %-8s %-8s %-9s %12s %9s %8s  %s%n", "RING", "PID", "ENGINE", "BACKEND", "UNREAD", "OVERFLOW",
            "AGE", "COMMAND");
        int notRings = 0;
        for (final Entry entry : entries) {
            out.println(Printable.of(entry.line()));
            notRings += entry.ring() ? 0 : 1;
        }
        final int count = entries.size() - notRings;
        out.printf("%d ring%s in %s%s%n", count, count == 1 ? "" : "s", Printable.of(dir.toString()),
            notRings == 0 ? "" : " (and " + notRings + " .ring file" + (notRings == 1 ? " that is not one)" : "s that are not)"));
        for (final Entry entry : entries) {
            if (entry.cleaned() != null) {
                out.println(Printable.of(entry.cleaned()));
            }
        }
        out.flush();
        return 0;
    }

    /**
     * One listed file, as read.
     *
     * @param error   why it is no ring, or null
     * @param engine  running, closed or gone; "-" for a ring that is no context's
     * @param unread  bytes between head and tail; -1 if impossible
     * @param overflow events on the overflow list; -1 for no context
     * @param ageSeconds seconds since the file was made
     * @param command the producer's command line while it runs, else null
     * @param cleaned what --clean did, or null
     */
    private record Entry(Path path, String error, int pid, String engine, String backend, long unread, long overflow,
                         long ageSeconds, String command, String cleaned) {
        boolean ring() {
            return error == null;
        }

        Entry cleaned(final String outcome) {
            return new Entry(path, error, pid, engine, backend, unread, overflow, ageSeconds, command, outcome);
        }

        String line() {
            if (error != null) {
                return String.format(Locale.ROOT, "%-60s not a ring: %s", path, error);
            }
            return String.format(Locale.ROOT, "%-60s %-8d %-8s %-9s %12s %9s %8s  %s", path, pid, engine, backend,
                unread < 0 ? "impossible" : Sizes.human(unread), overflow < 0 ? "-" : String.format(Locale.ROOT, "%,d", overflow),
                age(ageSeconds), command == null ? "-" : command);
        }
    }

    /** One file's entry; a file that is no ring (or not yet one) says why instead. */
    private static Entry entry(final Path path) {
        final long age = age(path);
        try (RingFile file = RingFile.open(path, ContextDescriptor.KNOWN_INCOMPAT_FEATURES, false)) {
            final Ring ring = file.ring();
            final int difference = ring.tail() - ring.head();
            final long unread = difference < 0 || difference > ring.dataLength() ? -1 : difference;
            final int pid = ring.producerPid();
            if ((ring.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) == 0) {
                return new Entry(path, null, pid, "-", "-", unread, -1, age, command(pid), null);
            }
            final ContextArea area = new ContextArea(ring.buffer());
            final String backend = switch (area.backend()) {
                case SetupDescriptor.BACKEND_IO_URING -> "io_uring";
                case SetupDescriptor.BACKEND_THREADS -> "threads";
                default -> "?";
            };
            final EngineState state = EngineState.of(ring, area, System.nanoTime());
            return new Entry(path, null, pid, state.name().toLowerCase(Locale.ROOT), backend, unread,
                Integer.toUnsignedLong(area.overflowLength()), age, state == EngineState.RUNNING ? command(pid) : null, null);
        } catch (final RuntimeException e) {
            return new Entry(path, String.valueOf(e.getMessage()), 0, null, null, 0, 0, age, null, null);
        }
    }

    /** @return seconds since the file was made (its birth time where the file system keeps one, else its mtime) */
    private static long age(final Path path) {
        try {
            final java.nio.file.attribute.BasicFileAttributes attributes = Files.readAttributes(path,
                java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            final long made = attributes.creationTime().toMillis() > 0 ? attributes.creationTime().toMillis()
                : attributes.lastModifiedTime().toMillis();
            return Math.max(0, (System.currentTimeMillis() - made) / 1000);
        } catch (final IOException e) {
            return -1;
        }
    }

    private static String age(final long seconds) {
        if (seconds < 0) {
            return "?";
        }
        return seconds < 120 ? seconds + "s" : seconds < 7200 ? seconds / 60 + "m" : seconds < 172_800 ? seconds / 3600 + "h"
            : seconds / 86_400 + "d";
    }

    /** @return the command line of a live process (/proc/PID/cmdline, arguments joined by spaces), or null */
    private static String command(final int pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            final byte[] bytes = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            final String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return text.isEmpty() ? null : text.length() > 200 ? text.substring(0, 200) + "..." : text;
        } catch (final IOException | RuntimeException e) {
            return null; // gone, or not ours to read
        }
    }

    private static void json(final PrintWriter out, final List<Entry> entries) throws IOException {
        final java.io.StringWriter text = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator j = new com.fasterxml.jackson.core.JsonFactory().createGenerator(text)) {
            j.writeStartArray();
            for (final Entry e : entries) {
                j.writeStartObject();
                j.writeStringField("path", e.path().toString());
                j.writeBooleanField("ring", e.ring());
                if (e.ring()) {
                    j.writeNumberField("pid", e.pid());
                    j.writeStringField("engine", e.engine());
                    j.writeStringField("backend", e.backend());
                    j.writeNumberField("unread_bytes", e.unread());
                    j.writeNumberField("overflow_list", e.overflow());
                    j.writeStringField("command", e.command());
                } else {
                    j.writeStringField("error", e.error());
                }
                j.writeNumberField("age_seconds", e.ageSeconds());
                if (e.cleaned() != null) {
                    j.writeStringField("clean", e.cleaned());
                }
                j.writeEndObject();
            }
            j.writeEndArray();
        }
        out.println(text);
        out.flush();
    }
}
