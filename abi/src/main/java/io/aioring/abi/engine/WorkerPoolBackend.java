package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * The thread backend: a queue of accepted iocbs and a fixed pool of worker threads that take them, make the
 * blocking call with the attributes' hooks around it ({@link SyncCalls}), and post the completion. An idle worker
 * spins, then yields, then parks; submit unparks at most one worker per accepted iocb.
 */
final class WorkerPoolBackend implements Backend {
    private static final int SPINS = 1000;
    private static final int YIELDS = 100;

    private final ManyToManyConcurrentArrayQueue<InFlight> queue;
    private final CompletionPoster poster;
    private final Worker[] workers;
    private volatile boolean stopping;

    WorkerPoolBackend(final int slots, final int workerCount, final CompletionPoster poster, final MemoryRegistry memory,
                      final int[] protectedFds, final Arena arena, final String name) {
        this.queue = new ManyToManyConcurrentArrayQueue<>(slots);
        this.poster = poster;
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

    @Override
    public void execute(final InFlight op) {
        queue.offer(op);
    }

    @Override
    public void submitted(final int count) {
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
