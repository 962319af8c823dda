package io.aioring.abi.engine;

import io.aioring.abi.layout.EventDescriptor;
import io.aioring.linux.Errno;

/**
 * What became of an iocb: the -errno it fails with before any I/O, its result, its times, and its event's flags —
 * what its event will say. The iocb's fields are {@link IocbCopy}; its life in the engine is {@link InFlight}.
 */
abstract sealed class IocbResult extends IocbCopy permits InFlight {
    /** 0, or the -errno this iocb fails with before any I/O (found at submit, or cancelled). */
    long preResult;
    /** With preResult: the attribute request that caused it, or -1. */
    int failedAttribute;
    long submitNanos;
    long startNanos;
    long completeNanos;
    long result;
    boolean early;
    int eventFlags;
    /** Its timeout_ms passed: a -ECANCELED result becomes -ETIME. */
    volatile boolean timedOut;

    /** A new iocb: nothing happened to it yet. */
    final void clearResult() {
        timedOut = false;
        preResult = 0;
        failedAttribute = -1;
        submitNanos = 0;
        startNanos = 0;
        completeNanos = 0;
        result = 0;
        early = false;
        eventFlags = 0;
    }

    /** The iocb will complete with {@code errno} (negative) and do no I/O; {@code attribute} caused it, or -1. */
    final void fail(final long errno, final int attribute) {
        preResult = errno;
        failedAttribute = attribute;
    }

    final boolean failed() {
        return preResult != 0;
    }

    final long preResult() {
        return preResult;
    }

    final int failedAttribute() {
        return failedAttribute;
    }

    final void finish(final long callResult, final long nanos) {
        result = timedOut && callResult == -Errno.ECANCELED ? -Errno.ETIME : callResult;
        completeNanos = nanos;
    }

    final void markTimedOut() {
        timedOut = true;
    }

    /** @return true once its timeout_ms (or, for a timeout iocb, its time) has come due */
    final boolean timedOut() {
        return timedOut;
    }

    /** Replaces the result (a TO_SLOT openat/accept answers with the slot, not the fd). */
    final void replaceResult(final long newResult) {
        result = newResult;
    }

    /** The result stays what a before hook set ({@link #completeEarly}); only the time is taken. */
    final void finishEarly(final long nanos) {
        completeNanos = nanos;
    }

    final int eventFlags() {
        return eventFlags;
    }

    final void markOverflowed() {
        eventFlags |= EventDescriptor.FLAG_OVERFLOWED;
    }

    final boolean overflowed() {
        return (eventFlags & EventDescriptor.FLAG_OVERFLOWED) != 0;
    }

    @Override
    public final long submitNanos() {
        return submitNanos;
    }

    @Override
    public final long startNanos() {
        return startNanos;
    }

    @Override
    public final long completeNanos() {
        return completeNanos;
    }

    @Override
    public final long result() {
        return result;
    }

    @Override
    public final void completeEarly(final long earlyResult) {
        result = earlyResult;
        early = true;
    }

    @Override
    public final boolean completedEarly() {
        return early;
    }
}
