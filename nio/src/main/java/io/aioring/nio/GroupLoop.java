package io.aioring.nio;

import io.aioring.abi.EventHandler;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.linux.Errno;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One thread of a channel group: reaps the group's context, then runs what each reaped event ends (copying a
 * read's bytes out, and the handler, where the group runs handlers on its own threads), then the tasks handed to the
 * group, then submits in one call the iocbs those handlers started. Events are only collected while the ring is
 * being read, so a handler never runs inside a getevents.
 */
final class GroupLoop implements Runnable, EventHandler {
    /** Handlers a loop runs inside one another (an operation that completes at once, from a handler) at most. */
    private static final int MAX_NESTED_HANDLERS = 16;
    private static final ThreadLocal<GroupLoop> CURRENT = new ThreadLocal<>();

    /** Room an iocb of a socket op takes at most in a batch (its header and a few attributes). */
    private static final int MAX_IOCB_BYTES = 512;

    private final AioChannelGroup group;
    private final SocketEngine engine;
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final IocbWriter batch = new IocbWriter(batchBuffer);
    private SocketEngine.Op[] batchOps = new SocketEngine.Op[64];
    private SocketLife[] batchLives = new SocketLife[64];
    private long[] batchUserData = new long[64];
    private int[] batchEnds = new int[64];
    private int batched;
    private SocketEngine.Op[] reaped = new SocketEngine.Op[64];
    private int count;
    private int nestedHandlers;

    GroupLoop(final AioChannelGroup group, final SocketEngine engine) {
        this.group = group;
        this.engine = engine;
    }

    /** @return the loop this thread runs, if it runs one of {@code group}'s; else null */
    static GroupLoop current(final AioChannelGroup group) {
        final GroupLoop loop = CURRENT.get();
        return loop != null && loop.group == group ? loop : null;
    }

    /** @return the loop this thread runs, if it runs one on {@code engine}; else null */
    static GroupLoop of(final SocketEngine engine) {
        final GroupLoop loop = CURRENT.get();
        return loop != null && loop.engine == engine ? loop : null;
    }

    /** When the context is full and this thread is one of the engine's group's loops: reap, or nothing would. */
    static void reapIfLoopThread(final SocketEngine engine) {
        final GroupLoop loop = of(engine);
        if (loop != null) {
            engine.context().getevents(0, Integer.MAX_VALUE, 0, loop);
        }
    }

    /** @return the batch this turn's iocbs are written into (submitted first if it is nearly full) */
    IocbWriter batch() {
        if (batchBuffer.capacity() - batch.length() < MAX_IOCB_BYTES) {
            flush();
        }
        return batch;
    }

    /** The iocb just written into {@link #batch()} is {@code op}'s, of {@code life}'s socket. */
    void deferred(final SocketEngine.Op op, final SocketLife life) {
        if (batched == batchOps.length) {
            batchOps = java.util.Arrays.copyOf(batchOps, batched * 2);
            batchLives = java.util.Arrays.copyOf(batchLives, batched * 2);
            batchUserData = java.util.Arrays.copyOf(batchUserData, batched * 2);
            batchEnds = java.util.Arrays.copyOf(batchEnds, batched * 2);
        }
        batchOps[batched] = op;
        batchLives[batched] = life;
        batchUserData[batched] = op.userData();
        batchEnds[batched] = batch.length();
        batched++;
    }

    /**
     * Submits this turn's iocbs, all in one call where the context has room; each channel then checks it was not
     * closed meanwhile. If the group has ended, the ops never submitted end -ECANCELED.
     */
    void flush() {
        int from = 0;
        int offset = 0;
        while (from < batched) {
            final int accepted = engine.submitted(batchBuffer, offset, batch.length() - offset);
            if (accepted == 0) {
                for (int i = from; i < batched; i++) {
                    batchOps[i].ending.ended(batchOps[i], -Errno.ECANCELED);
                }
                break;
            }
            for (int i = from; i < from + accepted; i++) {
                batchLives[i].submitted(batchUserData[i]);
            }
            from += accepted;
            offset = batchEnds[from - 1];
        }
        java.util.Arrays.fill(batchOps, 0, batched, null);
        java.util.Arrays.fill(batchLives, 0, batched, null);
        batched = 0;
        batch.reset();
    }

    @Override
    public void run() {
        CURRENT.set(this);
        try {
            while (!group.stopping()) {
                try {
                    engine.context().getevents(1, Integer.MAX_VALUE, 50_000_000L, this);
                } catch (final IllegalStateException e) {
                    if (engine.context().isDestroyed()) {
                        return;
                    }
                    throw e;
                }
                endReaped();
                group.runTasks();
                flush();
                group.terminateIfDone();
            }
        } finally {
            CURRENT.remove();
            group.loopEnded();
        }
    }

    @Override
    public void onEvent(final EventView event) {
        final SocketEngine.Op op = engine.lookup(event);
        if (op == null) {
            return; // a wake-up
        }
        op.result = event.result();
        if (count == reaped.length) {
            reaped = java.util.Arrays.copyOf(reaped, count * 2);
        }
        reaped[count++] = op;
    }

    /** Ends each reaped op (more may be reaped meanwhile, by a submit that found the context full). */
    private void endReaped() {
        for (int i = 0; i < count; i++) {
            final SocketEngine.Op op = reaped[i];
            reaped[i] = null;
            try {
                op.ending.ended(op, op.result);
            } catch (final Throwable t) {
                uncaught(t);
            }
        }
        count = 0;
    }

    /**
     * Runs a handler here unless handlers are nested too deep on this thread already.
     *
     * @return false if it was not run (the caller hands it to the group)
     */
    boolean runNested(final Runnable handler) {
        if (nestedHandlers >= MAX_NESTED_HANDLERS) {
            return false;
        }
        nestedHandlers++;
        try {
            handler.run();
        } catch (final Throwable t) {
            uncaught(t);
        } finally {
            nestedHandlers--;
        }
        return true;
    }

    /** A handler that threw: its thread's uncaught-exception handler hears of it, and the loop goes on. */
    static void uncaught(final Throwable t) {
        final Thread thread = Thread.currentThread();
        thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
    }
}
