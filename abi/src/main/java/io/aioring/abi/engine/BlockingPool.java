package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A fixed pool of worker threads that make blocking calls: each takes an iocb from one queue, runs it with the
 * attributes' hooks around it ({@link SyncCalls#run}) and posts it. Both backends use one: the threads backend for
 * every call, the io_uring backend for the calls io_uring has no opcode for. An idle worker spins, then yields, then
 * parks; {@link #wake} unparks at most one worker per iocb queued.
 */
final class BlockingPool {
    private static final int SPINS = 1000;
    private static final int YIELDS = 100;

    private final ManyToManyConcurrentArrayQueue<InFlight> queue;
    private final CompletionPoster poster;
    private final Worker[] workers;
    /** Takes over an iocb that waits for readiness after its call (a connect): null for a pool that has none. */
    private final BiConsumer<InFlight, SyncCalls> thenReadiness;
    private volatile boolean stopping;

    BlockingPool(final int slots, final int workerCount, final CompletionPoster poster, final MemoryRegistry memory,
                 final OwnDescriptors protectedFds, final Arena arena, final String name,
                 final BiConsumer<InFlight, SyncCalls> thenReadiness) {
        this.queue = new ManyToManyConcurrentArrayQueue<>(slots);
        this.poster = poster;
        this.thenReadiness = thenReadiness;
        this.workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(new SyncCalls(memory, protectedFds, arena));
            workers[i].thread = EngineThreads.daemon(name + "-worker-" + i, workers[i]);
        }
    }

    void start() {
        for (final Worker worker : workers) {
            worker.thread.start();
        }
    }

    /** Queues {@code op}; the caller wakes workers once for its batch ({@link #wake}). */
    void offer(final InFlight op) {
        queue.offer(op);
    }

    /** Unparks up to {@code count} parked workers. */
    void wake(final int count) {
        int woken = 0;
        for (final Worker worker : workers) {
            if (woken >= count) {
                return;
            }
            if (worker.parked) {
                worker.parked = false;
                LockSupport.unpark(worker.thread);
                woken++;
            }
        }
    }

    /** Stops the workers once the queue is empty and waits for them. */
    void stop() {
        stopping = true;
        for (final Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
        for (final Worker worker : workers) {
            EngineThreads.joinQuietly(worker.thread);
        }
    }

    /** A worker thread: its duty cycle takes one iocb, runs it and posts it; idle, it spins, yields, then parks. */
    private final class Worker implements Runnable {
        final SyncCalls calls;
        Thread thread;
        volatile boolean parked;

        Worker(final SyncCalls calls) {
            this.calls = calls;
        }

        /** @return 1 if it ran an iocb, else 0 */
        private int doWork() {
            final InFlight op = queue.poll();
            if (op == null) {
                return 0;
            }
            if (thenReadiness != null && OpDef.of(op.opcode()).threads() == OpDef.ThreadsRoute.WORKER_THEN_READINESS) {
                thenReadiness.accept(op, calls);
            } else {
                calls.run(op);
                poster.complete(op);
            }
            return 1;
        }

        @Override
        public void run() {
            final IdleStrategy idle = new ParkingIdle();
            while (true) {
                if (doWork() > 0) {
                    idle.reset();
                    continue;
                }
                if (stopping) {
                    return;
                }
                idle.idle();
            }
        }

        /** Spins, then yields, then parks until {@link #wake} (an unpark before the park is kept). */
        private final class ParkingIdle implements IdleStrategy {
            private int count;

            @Override
            public void idle(final int workCount) {
                if (workCount > 0) {
                    reset();
                } else {
                    idle();
                }
            }

            @Override
            public void idle() {
                count++;
                if (count < SPINS) {
                    Thread.onSpinWait();
                } else if (count < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (queue.isEmpty() && !stopping) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    count = 0;
                }
            }

            @Override
            public void reset() {
                count = 0;
            }
        }
    }
}
