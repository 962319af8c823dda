package io.aioring.nio;

import io.aioring.abi.EventHandler;
import io.aioring.abi.EventView;

/**
 * One thread of a channel group: reaps the group's context, then runs what each reaped event ends (copying a
 * read's bytes out, and the handler, where the group runs handlers on its own threads), then the tasks handed to the
 * group. Events are only collected while the ring is being read, so a handler never runs inside a getevents.
 */
final class GroupLoop implements Runnable, EventHandler {
    /** Handlers a loop runs inside one another (an operation that completes at once, from a handler) at most. */
    private static final int MAX_NESTED_HANDLERS = 16;
    private static final ThreadLocal<GroupLoop> CURRENT = new ThreadLocal<>();

    private final AioChannelGroup group;
    private final SocketEngine engine;
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

    /** When the context is full and this thread is one of the engine's group's loops: reap, or nothing would. */
    static void reapIfLoopThread(final SocketEngine engine) {
        final GroupLoop loop = CURRENT.get();
        if (loop != null && loop.engine == engine) {
            engine.context().getevents(0, Integer.MAX_VALUE, 0, loop);
        }
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
