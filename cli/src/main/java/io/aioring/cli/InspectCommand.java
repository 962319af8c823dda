package io.aioring.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.aioring.abi.EngineState;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.TotalsDescriptor;
import io.aioring.abi.layout.TotalsSnapshot;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.linux.Errno;
import io.aioring.ring.RecordDescriptor;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingObserver;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aioring inspect RING-FILE}: decodes a ring's header and lists its unread records, changing nothing. */
@Command(name = "inspect",
    mixinStandardHelpOptions = true,
    description = {"Print a ring's header (version, features, sizes, flags, head, tail), the producer's "
        + "liveness, and its unread records.", "Reads only: it never moves head."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RING-FILE", description = "the ring's file, e.g. /dev/shm/aioring-1234-1-8c1f0e9a4b2d7c35.ring")
    Path file;

    @Option(names = "--records", paramLabel = "N", defaultValue = "16",
        description = "list at most N unread records (default: ${DEFAULT-VALUE}; 0 for none)")
    int records;

    @Option(names = "--watch", paramLabel = "INTERVAL", arity = "0..1", fallbackValue = "1s",
        description = "inspect again every INTERVAL (default 1s) until interrupted, or --count times")
    String watch;

    @Option(names = "--count", paramLabel = "N", description = "with --watch: stop after N inspections")
    Integer count;

    @Option(names = "--json", description = "print the inspection as one line of JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (records < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--records must be 0 or more, not " + records);
        }
        if (watch == null) {
            return inspect();
        }
        final long interval;
        try {
            interval = Sizes.nanos(watch);
        } catch (final IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--watch " + watch + ": " + e.getMessage());
        }
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be 1 or more, not " + count);
        }
        for (int i = 1; ; i++) {
            spec.commandLine().getOut().printf("--- %s%n", java.time.Instant.now());
            final int exit = inspect();
            if (exit != 0 || count != null && i >= count) {
                return exit;
            }
            Thread.sleep(interval / 1_000_000, (int) (interval % 1_000_000));
        }
    }

    private int inspect() {
        if (json) {
            return inspectJson();
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (RingFile ringFile = RingFile.open(file, ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final Ring ring = ringFile.ring();
            final int head = ring.head();
            final int tail = ring.tail();
            final int flags = ring.flags();
            out.printf("ring        %s%n", Printable.of(file.toString()));
            out.printf("magic       %s%n", Ring.describeMagic(ring.buffer().getLong(RingDescriptor.MAGIC_OFFSET)));
            out.printf("abi         version %d, header %d bytes%n", RingDescriptor.ABI_VERSION, RingDescriptor.HEADER_LENGTH);
            out.printf("features    compat 0x%x, incompat 0x%x%n", ring.compatFeatures(), ring.incompatFeatures());
            out.printf("data        %,d bytes, records up to %,d payload bytes%n", ring.dataLength(), ring.maxPayloadLength());
            final ContextArea area = (ring.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) != 0
                ? new ContextArea(ring.buffer()) : null;
            out.printf("producer    %s%n", producer(ring, area));
            out.printf("flags       0x%x %s%n", flags, flagNames(flags));
            out.printf("doorbell    %,d%n", Integer.toUnsignedLong(ring.doorbell()));
            if (area != null) {
                context(out, area);
            }
            totals(out, ring);
            out.printf("head        %s (data offset %d)%n", Integer.toUnsignedString(head), head & ring.mask());
            out.printf("tail        %s (data offset %d)%n", Integer.toUnsignedString(tail), tail & ring.mask());
            final int unread = tail - head;
            if (unread < 0 || unread > ring.dataLength()) {
                out.printf("unread      impossible: tail - head = %d (data_length %d)%n", unread, ring.dataLength());
                out.flush();
                throw new IllegalStateException("ring is corrupt: tail - head = " + unread
                    + " is outside [0, " + ring.dataLength() + "]");
            }
            final List<String> listed = new ArrayList<>();
            final long[] count = {0, 0};
            final RingObserver observer = new RingObserver(ring);
            final EventText events = new EventText();
            final int start = observer.cursor();
            while (observer.cursor() - tail < 0) {
                final int before = observer.cursor();
                if (observer.poll((type, buffer, index, length) -> {
                    if (count[0]++ < records) {
                        listed.add(type == io.aioring.abi.layout.EventDescriptor.RECORD_TYPE
                            ? String.format("  %-5d %s", count[0] - 1, events.describe(buffer, index, length))
                            : String.format("  %-5d type %-10s payload %5d bytes  %s", count[0] - 1,
                                Integer.toUnsignedString(type), length, hex(buffer, index, Math.min(length, 16))));
                    }
                    count[1] += RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + length);
                }, Integer.MAX_VALUE) == 0 && observer.cursor() == before) {
                    break;
                }
            }
            // Fillers are what the observer walked past that was no record; bytes reapers took first are not walked.
            final long walked = Integer.toUnsignedLong(observer.cursor() - start) - observer.missedBytes();
            out.printf("unread      %,d bytes: %,d records seen, %,d bytes of fillers%n", unread, count[0], walked - count[1]);
            if (observer.missedBytes() > 0) {
                out.printf("            (reapers took %,d bytes while this ran)%n", observer.missedBytes());
            }
            if (!listed.isEmpty()) {
                out.println("records");
                listed.forEach(out::println);
                if (count[0] > records) {
                    out.printf("  ... %,d more%n", count[0] - records);
                }
            }
            out.flush();
            return 0;
        }
    }

    /** The inspection as one line of JSON: the header, the producer, the context's counters, the unread records. */
    private int inspectJson() {
        final PrintWriter out = spec.commandLine().getOut();
        final java.io.StringWriter text = new java.io.StringWriter();
        try (RingFile ringFile = RingFile.open(file, ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
             com.fasterxml.jackson.core.JsonGenerator j = new com.fasterxml.jackson.core.JsonFactory().createGenerator(text)) {
            final Ring ring = ringFile.ring();
            final int head = ring.head();
            final int tail = ring.tail();
            final int flags = ring.flags();
            j.writeStartObject();
            j.writeStringField("ring", file.toString());
            j.writeStringField("magic", Ring.describeMagic(ring.buffer().getLong(RingDescriptor.MAGIC_OFFSET)));
            j.writeNumberField("compat_features", ring.compatFeatures());
            j.writeNumberField("incompat_features", ring.incompatFeatures());
            j.writeNumberField("data_length", ring.dataLength());
            final ContextArea area = (ring.compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) != 0
                ? new ContextArea(ring.buffer()) : null;
            j.writeNumberField("producer_pid", ring.producerPid());
            final long heartbeat = ring.heartbeat();
            j.writeNumberField("heartbeat_age_ms", heartbeat == 0 ? -1 : Math.max(0, (System.nanoTime() - heartbeat) / 1_000_000));
            if (area != null) {
                j.writeStringField("engine", EngineState.of(ring, area, System.nanoTime()).name().toLowerCase(java.util.Locale.ROOT));
            }
            j.writeNumberField("flags", flags);
            j.writeArrayFieldStart("flag_names");
            for (final String name : flagNames(flags).replaceAll("[\\[\\]]", "").split(", ")) {
                if (!name.isEmpty()) {
                    j.writeString(name);
                }
            }
            j.writeEndArray();
            if (area != null) {
                final Counters counters = Counters.read(area);
                j.writeObjectFieldStart("context");
                j.writeNumberField("submitted", counters.submitted());
                j.writeNumberField("posted", counters.posted());
                j.writeNumberField("overflowed", counters.overflowed());
                j.writeNumberField("overflow_list", counters.onList());
                j.writeNumberField("busy_rejections", counters.busy());
                j.writeStringField("reaped_sequence", Long.toUnsignedString(counters.reaped()));
                j.writeNumberField("overflow_volatile", area.overflowVolatile());
                j.writeNumberField("workers", area.workers());
                j.writeNumberField("max_in_flight", area.maxInFlight());
                j.writeNumberField("overflow_bound", area.overflowBound());
                j.writeEndObject();
            }
            totalsJson(j, ring);
            j.writeStringField("head", Integer.toUnsignedString(head));
            j.writeStringField("tail", Integer.toUnsignedString(tail));
            final int unread = tail - head;
            if (unread < 0 || unread > ring.dataLength()) {
                j.writeStringField("unread", "impossible");
            } else {
                j.writeNumberField("unread_bytes", unread);
                final RingObserver observer = new RingObserver(ring);
                final EventText events = new EventText();
                final long[] count = {0};
                j.writeArrayFieldStart("records");
                while (observer.cursor() - tail < 0) {
                    final int before = observer.cursor();
                    if (observer.poll((type, buffer, index, length) -> {
                        if (count[0]++ < records) {
                            try {
                                j.writeStartObject();
                                j.writeNumberField("type", Integer.toUnsignedLong(type));
                                j.writeNumberField("length", length);
                                if (type == io.aioring.abi.layout.EventDescriptor.RECORD_TYPE) {
                                    j.writeFieldName("event");
                                    events.json(j, buffer, index, length);
                                }
                                j.writeEndObject();
                            } catch (final java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }, Integer.MAX_VALUE) == 0 && observer.cursor() == before) {
                        break;
                    }
                }
                j.writeEndArray();
                j.writeNumberField("records_seen", count[0]);
            }
            j.writeEndObject();
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.println(text);
        out.flush();
        return 0;
    }

    /** The context's counters as one snapshot. */
    private record Counters(long reaped, long posted, long overflowed, long onList, long busy, long submitted) {
        /**
         * Reads them against the order the words are written (an iocb is submitted before its event is posted, an
         * event is posted before a reaper raises reaped_sequence past it): what is shown never has more reaped than
         * posted, or more posted than submitted, however busy the context is.
         */
        static Counters read(final ContextArea area) {
            final long reaped = area.reapedSequence();
            java.lang.invoke.VarHandle.acquireFence();
            final long posted = area.eventsPosted();
            final long overflowed = area.eventsOverflowed();
            final long onList = Integer.toUnsignedLong(area.overflowLength());
            final long busy = area.busyRejections();
            java.lang.invoke.VarHandle.acquireFence();
            return new Counters(reaped, posted, overflowed, onList, busy, area.iocbsSubmitted());
        }
    }

    /** The producer's pid and heartbeat, and (for a context's ring) the engine's state by the shared rule. */
    private static String producer(final Ring ring, final ContextArea area) {
        final int pid = ring.producerPid();
        final long heartbeat = ring.heartbeat();
        final long now = System.nanoTime();
        final String beat = heartbeat == 0 ? "no heartbeat"
            : "last heartbeat " + Math.max(0, (now - heartbeat) / 1_000_000) + " ms ago";
        if (area != null) {
            return "pid " + pid + ", " + beat + ": engine " + EngineState.of(ring, area, now).name().toLowerCase(java.util.Locale.ROOT);
        }
        final boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return "pid " + pid + (alive ? " (running)" : " (gone)") + ", " + beat;
    }

    /** The engine's totals (docs/abi.md 2.14): every completion since setup, by opcode. */
    private static void totals(final PrintWriter out, final Ring ring) {
        final TotalsSnapshot totals;
        try {
            totals = TotalsSnapshot.of(ring);
        } catch (final io.aioring.ring.RingFormatException e) {
            out.printf("totals      %s%n", Printable.of(String.valueOf(e.getMessage())));
            return;
        }
        if (totals == null) {
            return;
        }
        final boolean consistent = totals.take();
        String label = "totals      ";
        if (totals.sum(TotalsDescriptor.EVENTS_OFFSET) == 0) {
            out.printf("%snone yet (every completion is counted here, by opcode)%n", label);
        }
        for (int opcode = 0; opcode < totals.opcodes(); opcode++) {
            if (totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET) > 0) {
                out.printf("%s%s: %s; %s%n", label, TotalsText.opcodeName(opcode), TotalsText.summary(totals, null, opcode),
                    TotalsText.percentiles(totals, opcode));
                label = "            ";
            }
        }
        if (!consistent) {
            out.println("            (the totals kept changing under the copy: counters may disagree)");
        }
    }

    private static void totalsJson(final com.fasterxml.jackson.core.JsonGenerator j, final Ring ring) throws java.io.IOException {
        final TotalsSnapshot totals;
        try {
            totals = TotalsSnapshot.of(ring);
        } catch (final io.aioring.ring.RingFormatException e) {
            j.writeStringField("totals_error", e.getMessage());
            return;
        }
        if (totals == null) {
            return;
        }
        j.writeObjectFieldStart("totals");
        j.writeBooleanField("consistent", totals.take());
        j.writeObjectFieldStart("opcodes");
        for (int opcode = 0; opcode < totals.opcodes(); opcode++) {
            if (totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET) == 0) {
                continue;
            }
            j.writeObjectFieldStart(TotalsText.opcodeName(opcode));
            j.writeNumberField("events", totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET));
            j.writeNumberField("errors", totals.get(opcode, TotalsDescriptor.ERRORS_OFFSET));
            j.writeNumberField("bytes", totals.get(opcode, TotalsDescriptor.BYTES_OFFSET));
            j.writeObjectFieldStart("page_cache");
            j.writeNumberField("hit", totals.get(opcode, TotalsDescriptor.PAGE_CACHE_HITS_OFFSET));
            j.writeNumberField("partial", totals.get(opcode, TotalsDescriptor.PAGE_CACHE_PARTIALS_OFFSET));
            j.writeNumberField("miss", totals.get(opcode, TotalsDescriptor.PAGE_CACHE_MISSES_OFFSET));
            j.writeNumberField("not_applicable", totals.get(opcode, TotalsDescriptor.PAGE_CACHE_NOT_APPLICABLE_OFFSET));
            j.writeEndObject();
            for (final int histogram : new int[] {TotalsDescriptor.LATENCY_OFFSET, TotalsDescriptor.SERVICE_OFFSET}) {
                // bucket b counts [2^(b-1), 2^b) ns (docs/abi.md 2.14)
                j.writeArrayFieldStart(histogram == TotalsDescriptor.LATENCY_OFFSET ? "latency_ns_log2" : "service_ns_log2");
                for (int b = 0; b < TotalsDescriptor.BUCKETS; b++) {
                    j.writeNumber(totals.bucket(opcode, histogram, b));
                }
                j.writeEndArray();
            }
            j.writeEndObject();
        }
        j.writeEndObject();
        j.writeEndObject();
    }

    /** The context's fields from the application area (docs/abi.md 2.10), as found: shared memory, so checked. */
    private static void context(final PrintWriter out, final ContextArea area) {
        out.printf("context     %,d workers, %,d max in flight, overflow bound %,d, setup flags 0x%x%n",
            area.workers(), area.maxInFlight(), area.overflowBound(), area.setupFlags());
        final int backend = area.backend();
        final int refusal = area.backendErrno();
        out.printf("backend     %s%n", switch (backend) {
            case SetupDescriptor.BACKEND_IO_URING -> "io_uring";
            case SetupDescriptor.BACKEND_THREADS -> "threads" + (refusal == 0 ? ""
                : " (io_uring refused: " + (refusal > 0 && refusal < 4096 ? Errno.name(refusal) : "errno " + refusal) + ")");
            case 0 -> "not recorded (a context from before the backend field)";
            default -> "unknown value " + Integer.toUnsignedString(backend);
        });
        final Counters counters = Counters.read(area);
        out.printf("events      %,d submitted, %,d posted, %,d went through the overflow list, %,d on it now, %,d busy rejections%n",
            counters.submitted(), counters.posted(), counters.overflowed(), counters.onList(), counters.busy());
        try {
            final String socket = area.socketPath();
            if (socket != null) {
                out.printf("eventfd     served on %s%n", Printable.of(socket));
            }
        } catch (final IllegalStateException e) {
            out.printf("eventfd     %s%n", Printable.of(String.valueOf(e.getMessage())));
        }
        out.printf("reaped      %s (reaped_sequence: one past the highest event sequence reapers have claimed)%n",
            Long.toUnsignedString(counters.reaped()));
        try {
            final String overflowFile = area.overflowPath();
            if (overflowFile != null) {
                out.printf("overflow    file %s%s%n", Printable.of(overflowFile), area.overflowVolatile() == 0 ? ""
                    : "; " + String.format("%,d", area.overflowVolatile()) + " events found it full and waited in memory only");
            }
        } catch (final IllegalStateException e) {
            out.printf("overflow    %s%n", Printable.of(String.valueOf(e.getMessage())));
        }
    }

    static String flagNames(final int flags) {
        final List<String> names = new ArrayList<>();
        if ((flags & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0) {
            names.add("OVERFLOW_PENDING");
        }
        if ((flags & RingDescriptor.FLAG_NOTIFY_DISABLED) != 0) {
            names.add("NOTIFY_DISABLED");
        }
        if ((flags & RingDescriptor.FLAG_PRODUCER_CLOSED) != 0) {
            names.add("PRODUCER_CLOSED");
        }
        if ((flags & RingDescriptor.FLAG_CORRUPTED) != 0) {
            names.add("CORRUPTED");
        }
        if ((flags & ~RingDescriptor.KNOWN_FLAGS) != 0) {
            names.add(String.format("unknown 0x%x", flags & ~RingDescriptor.KNOWN_FLAGS));
        }
        return names.toString();
    }

    private static String hex(final org.agrona.DirectBuffer buffer, final int index, final int length) {
        final StringBuilder text = new StringBuilder(length * 3);
        for (int i = 0; i < length; i++) {
            text.append(String.format("%02x", buffer.getByte(index + i) & 0xFF));
            if (i % 4 == 3 && i + 1 < length) {
                text.append(' ');
            }
        }
        return text.toString();
    }
}
