package io.aioring.abi.engine;

import java.lang.foreign.Arena;

import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;

/**
 * The thread backend: a queue of accepted iocbs and a fixed pool of worker threads that take them, make the
 * blocking call with the attributes' hooks around it ({@link SyncCalls}), and post the completion. A read first
 * tries RWF_NOWAIT on the submitting thread: served from the page cache, it completes there and wakes no worker.
 * An idle worker spins, then yields, then parks; submit unparks at most one worker per iocb it queued.
 *
 * <p>Iocbs that wait for a socket (recv, send, accept, poll) hold no worker: the submitter tries each once without
 * blocking, and one that is not ready waits in {@link Readiness} (epoll). A connect runs on a worker; on a
 * non-blocking socket its -EINPROGRESS is waited for there too.
 */
final class WorkerPoolBackend implements Backend {
    private final BlockingPool pool;
    private final CompletionPoster poster;
    private final Readiness readiness;
    private final Scheduler scheduler;
    /** Each submitting thread's own calls (errno, scratch) and how many of its current batch it queued. */
    private final ThreadLocal<Caller> callers;

    private static final class Caller {
        final SyncCalls calls;
        int queued;

        Caller(final SyncCalls calls) {
            this.calls = calls;
        }
    }

    WorkerPoolBackend(final int slots, final int workerCount, final CompletionPoster poster, final Submissions submissions,
                      final Scheduler scheduler, final MemoryRegistry memory, final OwnDescriptors protectedFds, final Arena arena,
                      final String name) {
        this.scheduler = scheduler;
        this.poster = poster;
        this.readiness = new Readiness(slots, poster, submissions, new SyncCalls(memory, protectedFds, arena), arena, name);
        protectedFds.add(readiness.epoll);
        protectedFds.add(readiness.wakeFd);
        this.callers = ThreadLocal.withInitial(() -> new Caller(new SyncCalls(memory, protectedFds, arena)));
        this.pool = new BlockingPool(slots, workerCount, poster, memory, protectedFds, arena, name,
            (op, calls) -> startWaiting(op, calls, Operation.PATH_WORKER, true));
    }

    @Override
    public String name() {
        return "threads";
    }

    @Override
    public void start() {
        pool.start();
        readiness.start();
    }

    /** Reads first try RWF_NOWAIT on the submitting thread; what that finishes never wakes a worker. */
    @Override
    public void execute(final InFlight op) {
        final Caller caller = callers.get();
        final OpDef.ThreadsRoute route = OpDef.of(op.opcode()).threads();
        if (route == OpDef.ThreadsRoute.TIMER) {
            scheduler.startTimeout(op, caller.calls);
            return;
        }
        if (route == OpDef.ThreadsRoute.READINESS) {
            startWaiting(op, caller.calls, Operation.PATH_INLINE, false);
            return;
        }
        if (caller.calls.tryInline(op)) {
            poster.complete(op);
            return;
        }
        pool.offer(op);
        caller.queued++;
    }

    @Override
    public void submitted(final int count) {
        final Caller caller = callers.get();
        final int toWake = Math.min(count, caller.queued);
        caller.queued = 0;
        pool.wake(toWake);
    }

    /**
     * Starts an iocb that waits for readiness: one attempt that never blocks (a connect: the call itself, on a
     * worker), then, if its fd is not ready, it waits in {@link Readiness}. A multishot iocb goes there at once.
     */
    private void startWaiting(final InFlight op, final SyncCalls calls, final int path, final boolean connect) {
        if (AttributeHooks.start(op, calls, path)) {
            poster.complete(op);
            return;
        }
        long r = calls.check(op);
        if (r == 0) {
            r = op.multishot() ? SyncCalls.NOT_READY : calls.attemptNow(op, false);
            if (connect && r == -Errno.EINPROGRESS) {
                r = SyncCalls.NOT_READY;
            }
        }
        if (r == SyncCalls.NOT_READY) {
            readiness.await(op);
            return;
        }
        poster.finish(op, r);
    }

    @Override
    public boolean cancelRunning(final InFlight op, final int incarnation) {
        return readiness.cancel(op, incarnation);
    }

    @Override
    public void stop() {
        pool.stop();
        readiness.stop(); // after the workers: a connect they started may have gone to wait there
    }
}
