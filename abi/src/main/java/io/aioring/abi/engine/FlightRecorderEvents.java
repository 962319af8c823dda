package io.aioring.abi.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.Operation;
import io.aioring.abi.spi.PageCacheReading;
import io.aioring.linux.Errno;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * The engine's JDK Flight Recorder events: {@link CompletionEvent} per iocb and {@link ContextStatisticsEvent} per
 * live context and period. With no recording asking for them, a submit pays one enabled check and nothing is
 * allocated. Reached only once the recorder has started ({@link FlightRecorderGate}): this class needs jdk.jfr.
 */
final class FlightRecorderEvents {
    private static final EventType COMPLETION = EventType.getEventType(CompletionEvent.class);

    static {
        FlightRecorder.addPeriodicEvent(ContextStatisticsEvent.class, FlightRecorderEvents::emitStatistics);
    }

    private FlightRecorderEvents() {
    }

    /** Registers the events (this class's initialisation), once the recorder has started ({@link FlightRecorderGate}). */
    static void register() {
        // The static initialiser did it.
    }

    /** @return a begun completion event if a recording wants them, else null */
    static CompletionEvent begin() {
        if (!COMPLETION.isEnabled()) {
            return null;
        }
        final CompletionEvent event = new CompletionEvent();
        event.begin();
        return event;
    }

    /** Ends {@code op}'s event, if it has one, and commits it if it took at least the threshold. */
    static void end(final InFlight op, final CompletionEvent event, final String ring) {
        event.end();
        if (!event.shouldCommit()) {
            return;
        }
        final long result = op.result();
        event.opcode = OpcodeDescriptor.isKnown(op.opcode()) ? OpcodeDescriptor.row(op.opcode()).name() : "opcode " + op.opcode();
        event.fd = op.fd();
        event.path = pathOf(op.fd());
        event.requestedBytes = op.askedBytes();
        event.result = result;
        event.bytes = result > 0 && OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.MOVES_BYTES) ? result : 0;
        event.error = result < 0 ? Errno.name((int) -result) : null;
        final long started = op.startNanos() != 0 ? op.startNanos() : op.completeNanos();
        event.queueTime = Math.max(0, started - op.submitNanos());
        event.serviceTime = Math.max(0, op.completeNanos() - started);
        event.pageCache = pageCache(op);
        event.executionPath = switch (op.executionPath()) {
            case Operation.PATH_INLINE -> "inline";
            case Operation.PATH_ASYNC -> "async";
            default -> "worker";
        };
        event.userData = op.userData();
        event.ring = ring;
        event.commit();
    }

    /** The page-cache attribute's reading (cachestat's count, else the RWF_NOWAIT attempt); null if none was made. */
    private static String pageCache(final InFlight op) {
        return switch (PageCacheReading.outcome(op.askedBytes(), op.residentBytes(), op.noWaitResult(), op.result())) {
            case PageCacheReading.HIT -> "hit";
            case PageCacheReading.NOT_APPLICABLE -> "not applicable";
            case PageCacheReading.PARTIAL -> "partial";
            case PageCacheReading.MISS -> "miss";
            default -> null;
        };
    }

    private static String pathOf(final int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (final IOException | UnsupportedOperationException e) {
            return null; // closed since, or not a descriptor of ours: the event says so by leaving it empty
        }
    }

    private static void emitStatistics() {
        final long now = System.nanoTime();
        FlightRecorderGate.LIVE.forEach((engine, previous) -> {
            final ContextStatisticsEvent event = new ContextStatisticsEvent();
            final long completed = engine.completed();
            final long bytes = engine.bytesMoved();
            final double seconds = (now - previous.nanos) / 1e9;
            event.ring = engine.ringPath().toString();
            event.backend = engine.backendName();
            event.iops = seconds > 0 ? (completed - previous.completed) / seconds : 0;
            event.bytesPerSecond = seconds > 0 ? (bytes - previous.bytes) / seconds : 0;
            event.submitted = engine.submitted();
            event.completed = completed;
            event.bytes = bytes;
            event.inFlight = engine.running();
            event.overflowed = engine.eventsOverflowed();
            event.overflowLength = engine.overflowLength();
            event.busyRejections = engine.busyRejections();
            event.commit();
            previous.nanos = now;
            previous.completed = completed;
            previous.bytes = bytes;
        });
    }
}
