package io.aioring.cli;

import java.io.PrintWriter;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.AioContext;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.Opcode;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.Layout;
import io.aioring.ring.RecordDescriptor;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The bench's submitting side: keeps {@code --qd} iocbs in flight over the file until the duration (or
 * {@code --ios}) is done, then waits for every completion, and says what the engine's side saw.
 */
final class BenchWorkload {
    /**
     * What the run measured on the engine's side; the reapers' side is in a {@link BenchRecorder}.
     *
     * @param submitted    iocbs accepted in the measured window
     * @param rampSubmitted iocbs accepted during the ramp (their events carry {@link BenchRecorder#RAMP_BIT})
     * @param elapsedNanos from the first measured submit to the last completion
     * @param busy         submits refused because the overflow list was at its bound
     * @param overflowed   events that waited on the overflow list
     * @param wraps        times the ring's tail counter wrapped past 2^32
     * @param posted       events posted into the ring
     * @param depths       how often the submitter found each in-flight depth, as fio's iodepth levels: 1, 2, 4, 8,
     *                     16, 32 and 64 or more (each level counts the depths from it up to the next)
     * @param cpu          what this process (the engine and the submitter) used in the measured window
     */
    record EngineSide(long submitted, long rampSubmitted, long elapsedNanos, long busy, long overflowed, long wraps, long posted,
                      long[] depths, ProcessCpu cpu) {
    }

    /** @return fio's iodepth level of {@code depth}: 0 for 1, 1 for 2-3, ... 6 for 64 and more */
    static int depthLevel(final long depth) {
        return depth <= 1 ? 0 : Math.min(6, 63 - Long.numberOfLeadingZeros(depth));
    }

    private final BenchOptions options;
    private final AioContext context;
    private final int fd;
    private final long buffers;
    private final PrintWriter err;
    /** With --reaper-mode caller: what this thread reaped; else empty. */
    private final BenchRecorder callerRecorder = new BenchRecorder();
    private final boolean callerReaps;

    /** How often the run looks at its reapers: the engine's heartbeat period. */
    private static final long REAPER_CHECK_NANOS = 100_000_000L;
    /** Events waiting and head not moving for this long: the reapers are stuck. */
    private static final long STALL_NANOS = 2_000_000_000L;
    /** null while the reapers are well; else what went wrong (see {@link BenchReapers#problem()}). */
    private final java.util.function.Supplier<String> reaperProblem;
    private String failure;

    /** A signal's request to stop: the run winds up early and reports. */
    private final SignalStop stop;

    BenchWorkload(final BenchOptions options, final AioContext context, final int fd, final long buffers, final PrintWriter err,
                  final SignalStop stop, final java.util.function.Supplier<String> reaperProblem) {
        this.stop = stop;
        this.reaperProblem = reaperProblem;
        this.options = options;
        this.context = context;
        this.fd = fd;
        this.buffers = buffers;
        this.err = err;
        this.callerReaps = options.reaperMode() == BenchOptions.ReaperMode.caller;
    }

    /** @return null if the run went as asked; else why it stopped early (a reaper gone or stuck) */
    String failure() {
        return failure;
    }

    /** @return what the submitting thread reaped itself (--reaper-mode caller), else an empty recorder */
    BenchRecorder callerRecorder() {
        return callerRecorder;
    }

    private long callerReaped() {
        return callerRecorder.events + callerRecorder.rampEvents;
    }

    EngineSide run() throws InterruptedException {
        final int queueDepth = options.queueDepth();
        final long bs = options.bs();
        final Long ioLimit = options.ioLimit();
        final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[Math.min(queueDepth, 256) * 256]));
        // Queue depth counts iocbs submitted and not yet reaped, as fio's does: those in the engine, plus events
        // waiting in the ring (its unread bytes over one event's span) or on the overflow list.
        final long eventSpan = eventSpan();
        final SplittableRandom random = new SplittableRandom();
        final long blocks = options.fileSize() / bs;
        final boolean progress = System.console() != null && !options.json();
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10_000, 1_000, 20_000);
        long sequential = 0;
        long submitted = 0;
        long wraps = 0;
        int lastTail = context.ring().tail();
        final long rampEnd = System.nanoTime() + options.rampNanos();
        boolean ramping = options.rampNanos() > 0;
        long rampSubmitted = 0;
        long start = ramping ? rampEnd : System.nanoTime();
        long deadline = start + options.durationNanos();
        long nextProgress = start + 1_000_000_000L;
        long lastProgressCompleted = 0;
        final long[] depths = new long[7];
        ProcessCpu cpuAtStart = ramping ? null : ProcessCpu.now();
        long nextReaperCheck = System.nanoTime() + REAPER_CHECK_NANOS;
        int lastHead = context.ring().head();
        long headMovedAt = System.nanoTime();
        while (!stop.requested() && failure == null
            && (ramping || (ioLimit != null ? submitted - rampSubmitted < ioLimit : System.nanoTime() - deadline < 0))) {
            final long now = System.nanoTime();
            if (now - nextReaperCheck >= 0) {
                // Every heartbeat: a reaper gone, or none taking anything, ends the run here, not at its end.
                nextReaperCheck = now + REAPER_CHECK_NANOS;
                failure = reaperProblem.get();
                final int head = context.ring().head();
                if (head != lastHead || head == context.ring().tail() || callerReaps) {
                    lastHead = head;
                    headMovedAt = now;
                } else if (failure == null && now - headMovedAt > STALL_NANOS) {
                    failure = "the reapers took nothing for " + STALL_NANOS / 1_000_000_000L + " s with events waiting "
                        + "(a reaper stopped?)";
                }
                if (failure != null) {
                    break;
                }
            }
            if (ramping && System.nanoTime() - rampEnd >= 0) {
                // The measured window starts here; what the ramp submitted is counted apart.
                ramping = false;
                rampSubmitted = submitted;
                start = System.nanoTime();
                deadline = start + options.durationNanos();
                nextProgress = start + 1_000_000_000L;
                cpuAtStart = ProcessCpu.now();
                lastProgressCompleted = context.completed();
                continue;
            }
            final long userDataBits = ramping ? BenchRecorder.RAMP_BIT : 0;
            final long unreadBytes = Integer.toUnsignedLong(context.ring().tail() - context.ring().head());
            final long inFlight = callerReaps ? submitted - callerReaped()
                : submitted - context.completed() + unreadBytes / eventSpan + context.overflowLength();
            long room = Math.min(queueDepth - inFlight, 256);
            if (!ramping) {
                depths[depthLevel(inFlight)]++;
            }
            if (ioLimit != null && !ramping) {
                room = Math.min(room, ioLimit - (submitted - rampSubmitted));
            }
            if (room > 0) {
                writer.reset();
                final long stamp = System.nanoTime() & BenchRecorder.STAMP_MASK;
                for (int i = 0; i < room; i++) {
                    final long offset = options.workload().sequential() ? (sequential++ % blocks) * bs : random.nextLong(blocks) * bs;
                    final boolean read = !options.workload().writes()
                        || (options.workload() == BenchOptions.Workload.randrw && random.nextInt(100) < options.readPercent());
                    final long buffer = buffers + ((submitted + i) % queueDepth) * bs;
                    writer.iocb(read ? Opcode.PREAD : Opcode.PWRITE, fd, offset, buffer, (int) bs, 0, 0,
                        stamp | userDataBits);
                    for (final int id : options.attributeIds()) {
                        writer.attribute(id, 0);
                    }
                }
                final int accepted = context.submit(writer);
                if (accepted > 0) {
                    submitted += accepted;
                } else {
                    Thread.yield(); // -EBUSY or -EAGAIN: the engine counts busy rejections in the context area
                }
                idle.reset();
                if (callerReaps) {
                    context.getevents(0, 1 << 20, 0, callerRecorder); // take what completed inside the submit
                }
            } else if (callerReaps) {
                // Full: wait for at least one of our own events, as fio's thread does.
                context.getevents(1, 1 << 20, 100_000_000L, callerRecorder);
            } else {
                // This thread, the engine and the reapers may share few cores: give the CPU away while full.
                idle.idle();
            }
            final int tail = context.ring().tail();
            if (Integer.compareUnsigned(tail, lastTail) < 0) {
                wraps++;
            }
            lastTail = tail;
            if (progress && System.nanoTime() - nextProgress >= 0) {
                final long completed = context.completed();
                err.printf("\r[%5.1fs] %,d IOPS, %,d in flight   ", (System.nanoTime() - start) / 1e9,
                    completed - lastProgressCompleted, submitted - completed);
                err.flush();
                lastProgressCompleted = completed;
                nextProgress += 1_000_000_000L;
            }
        }
        final long waitUntil = System.nanoTime() + (failure != null ? 5_000_000_000L : 120_000_000_000L);
        while (context.completed() < submitted || failure == null && context.overflowLength() > 0) {
            if (System.nanoTime() - waitUntil > 0) {
                err.println("aioring bench: gave up waiting for " + (submitted - context.completed()) + " completions");
                break;
            }
            TimeUnit.MICROSECONDS.sleep(50);
        }
        while (callerReaps && callerReaped() < submitted && System.nanoTime() - waitUntil < 0) {
            context.getevents(1, 1 << 20, 100_000_000L, callerRecorder);
        }
        final long elapsed = System.nanoTime() - start;
        if (progress) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
        final ContextArea area = new ContextArea(context.ring().buffer());
        final ProcessCpu cpu = cpuAtStart == null ? new ProcessCpu(0, 0, 0) : ProcessCpu.now().since(cpuAtStart);
        return new EngineSide(submitted - rampSubmitted, rampSubmitted, elapsed, area.busyRejections(), area.eventsOverflowed(), wraps,
            area.eventsPosted(), depths, cpu);
    }

    /** @return the ring bytes one event of this run takes (a read's; a write's page-cache record is smaller) */
    private long eventSpan() {
        int length = RecordDescriptor.HEADER_LENGTH + EventDescriptor.HEADER_LENGTH;
        for (final int id : options.attributeIds()) {
            length += Layout.returnRecordSpan(context.attributes().byId(id).returnLength());
        }
        return RecordDescriptor.align(length);
    }
}
