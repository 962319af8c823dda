package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * The thread backend: a queue of accepted iocbs and a fixed pool of worker threads that take them, make the
 * blocking call with the attributes' hooks around it ({@link SyncCalls}), and post the completion. A read first
 * tries RWF_NOWAIT on the submitting thread: served from the page cache, it completes there and wakes no worker.
 * An idle worker spins, then yields, then parks; submit unparks at most one worker per iocb it queued.
 */
final class WorkerPoolBackend implements Backend {
    private static final int SPINS = 1000;
    private static final int YIELDS = 100;

    private final ManyToManyConcurrentArrayQueue<InFlight> queue;
    private final CompletionPoster poster;
    private final Worker[] workers;
    private volatile boolean stopping;
    /** Each submitting thread's own calls (errno, scratch) and how many of its current batch it queued. */
    private final ThreadLocal<Caller> callers;

    private static final class Caller {
        final SyncCalls calls;
        int queued;

        Caller(final SyncCalls calls) {
            this.calls = calls;
        }
    }

    WorkerPoolBackend(final int slots, final int workerCount, final CompletionPoster poster, final MemoryRegistry memory,
                      final int[] protectedFds, final Arena arena, final String name) {
        this.queue = new ManyToManyConcurrentArrayQueue<>(slots);
        this.poster = poster;
        this.callers = ThreadLocal.withInitial(() -> new Caller(new SyncCalls(memory, protectedFds, arena)));
        this.workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(new SyncCalls(memory, protectedFds, arena));
            workers[i].thread = new Thread(workers[i], name + "-worker-" + i);
            workers[i].thread.setDaemon(true);
        }
    }

    @Override
    public String name() {
        return "threads";
    }

    @Override
    public void start() {
        for (final Worker worker : workers) {
            worker.thread.start();
        }
    }

    /** Reads first try RWF_NOWAIT on the submitting thread; what that finishes never wakes a worker. */
    @Override
    public void execute(final InFlight op) {
        final Caller caller = callers.get();
        if (caller.calls.tryInline(op)) {
            poster.complete(op);
            return;
        }
        queue.offer(op);
        caller.queued++;
    }

    @Override
    public void submitted(final int count) {
        final Caller caller = callers.get();
        final int toWake = Math.min(count, caller.queued);
        caller.queued = 0;
        int woken = 0;
        for (final Worker worker : workers) {
            if (woken >= toWake) {
                return;
            }
            if (worker.parked) {
                worker.parked = false;
                LockSupport.unpark(worker.thread);
                woken++;
            }
        }
    }

    @Override
    public void stop() {
        stopping = true;
        for (final Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
        for (final Worker worker : workers) {
            Engine.joinQuietly(worker.thread);
        }
    }

    /** A worker thread: takes iocbs from the queue, runs them, posts them; spins, yields, then parks when idle. */
    private final class Worker implements Runnable {
        final SyncCalls calls;
        Thread thread;
        volatile boolean parked;

        Worker(final SyncCalls calls) {
            this.calls = calls;
        }

        @Override
        public void run() {
            int idle = 0;
            while (true) {
                final InFlight op = queue.poll();
                if (op != null) {
                    idle = 0;
                    calls.run(op);
                    poster.complete(op);
                    continue;
                }
                if (stopping) {
                    return;
                }
                idle++;
                if (idle < SPINS) {
                    Thread.onSpinWait();
                } else if (idle < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (queue.isEmpty() && !stopping) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idle = 0;
                }
            }
        }
    }
}
