package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The io_uring backend's completer thread: a duty cycle (issue what was handed over, enter, reap and post: the
 * backend's, under its ring lock) and how it idles between cycles. While requests are in the kernel it sleeps in
 * read(2) on the eventfd registered with the ring (every CQE counts there), unless a thread of this process reaps the
 * CQ itself; with nothing in the kernel it parks. A submitter wakes it by unpark and, if it sleeps in read(2), by
 * writing the eventfd.
 */
final class IoUringCompleter {
    /** How long after a thread of this process reaped the CQ the completer leaves the reaping to it. */
    private static final long IN_PROCESS_REAPER_GRACE_NANOS = 1_000_000L;

    private final ManyToOneConcurrentArrayQueue<InFlight> handedOver;
    private final java.util.function.BooleanSupplier stopping;
    private final AtomicInteger inKernel;
    private final int eventfd;
    private final Errno errno;
    private final MemorySegment eventfdValue;
    /** 1, for waking the completer through its eventfd. */
    private final MemorySegment wakeOne;
    private final Runnable dutyCycle;
    private final Thread thread;
    private volatile boolean inRead;
    /** Parked with nothing in the kernel: a submit that puts requests there must wake it. */
    private volatile boolean idle;
    /**
     * When a thread of this process last reaped the CQ itself: it waited in io_uring_enter for completions, or a
     * reaper of this process polled (each poll reaps the CQ first).
     */
    private volatile long lastInProcessReap = Long.MIN_VALUE / 2;

    /**
     * @param handedOver what it is to issue
     * @param stopping   true once the backend stops
     * @param inKernel   requests the kernel holds now
     * @param dutyCycle  one cycle: issues what {@link #poll} gives, enters, reaps and posts
     */
    IoUringCompleter(final String name, final ManyToOneConcurrentArrayQueue<InFlight> handedOver,
                     final java.util.function.BooleanSupplier stopping, final int eventfd, final AtomicInteger inKernel,
                     final Arena arena, final Runnable dutyCycle) {
        this.handedOver = handedOver;
        this.stopping = stopping;
        this.inKernel = inKernel;
        this.eventfd = eventfd;
        this.errno = new Errno(arena);
        this.eventfdValue = arena.allocate(8, 8);
        this.wakeOne = arena.allocate(8, 8);
        wakeOne.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.dutyCycle = dutyCycle;
        this.thread = EngineThreads.daemon(name + "-io_uring-completer", this::run);
    }

    void start() {
        thread.start();
    }

    /** Hands {@code op} to the completer (the caller wakes it, now or after its batch). */
    void offer(final InFlight op) {
        handedOver.offer(op);
    }

    /** @return the next iocb handed over, or null */
    InFlight poll() {
        return handedOver.poll();
    }

    /** A thread of this process reaps the CQ now. */
    void reapedInProcess() {
        lastInProcessReap = System.nanoTime();
    }

    /** Wakes the completer wherever it sleeps: parked, or in read(2) on the eventfd. */
    void wake() {
        LockSupport.unpark(thread);
        // The completer sets inRead, then rechecks its queue before it reads (Dekker with the caller's offer).
        VarHandle.fullFence();
        if (inRead) {
            Linux.writeUnchecked(eventfd, wakeOne.address(), 8);
        }
    }

    /** Requests went into the kernel: an idle completer moves from its park to read(eventfd). */
    void wakeIfIdle() {
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    /** Wakes it to see the backend stopping and waits for it to end. */
    void join() {
        wake();
        EngineThreads.joinQuietly(thread);
    }

    private void run() {
        while (true) {
            dutyCycle.run();
            if (!handedOver.isEmpty()) {
                continue;
            }
            if (inKernel.get() > 0 && System.nanoTime() - lastInProcessReap < IN_PROCESS_REAPER_GRACE_NANOS) {
                // A thread of this process waits in the kernel for completions, or polls, and reaps them itself:
                // waking here for each one as well would only contend with it. Look again shortly, in case it stops.
                LockSupport.parkNanos(this, IN_PROCESS_REAPER_GRACE_NANOS);
            } else if (inKernel.get() > 0) {
                // Requests are in the kernel: sleep until it posts a completion (the eventfd counts every CQE), or
                // until a submitter hands over work (it writes the eventfd too: a socket request may never complete).
                inRead = true;
                VarHandle.fullFence();
                if (handedOver.isEmpty() && !stopping.getAsBoolean()) {
                    final long r = Linux.read(errno, eventfd, eventfdValue.address(), 8);
                    if (r < 0 && r != -Errno.EINTR) {
                        throw new IllegalStateException("read(eventfd) failed: " + Errno.describeResult(r));
                    }
                }
                inRead = false;
            } else if (stopping.getAsBoolean()) {
                return;
            } else {
                // Nothing in the kernel: park until a submitter hands over work (unpark before park is kept).
                idle = true;
                VarHandle.fullFence();
                if (inKernel.get() == 0 && handedOver.isEmpty() && !stopping.getAsBoolean()) {
                    LockSupport.park(this);
                }
                idle = false;
            }
        }
    }
}
