package io.aioring.nio;

import java.util.concurrent.CompletableFuture;

/**
 * The {@code Future} of a socket operation. Cancelling it, as the JDK's, cancels the operation and leaves that
 * direction of the channel unusable (the bytes it may have moved are lost to the program); with
 * {@code mayInterruptIfRunning} the channel is closed.
 */
final class PendingFuture<V> extends CompletableFuture<V> {
    /** Told of a cancel. */
    interface Canceller {
        void cancelled(boolean mayInterruptIfRunning);
    }

    private final Canceller canceller;

    PendingFuture(final Canceller canceller) {
        this.canceller = canceller;
    }

    @Override
    public boolean cancel(final boolean mayInterruptIfRunning) {
        final boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            canceller.cancelled(mayInterruptIfRunning);
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>(); // what is chained on it cancels only itself
    }
}
