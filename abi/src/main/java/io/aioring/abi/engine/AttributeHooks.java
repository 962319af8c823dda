package io.aioring.abi.engine;

import static io.aioring.abi.layout.AttributeRecordDescriptor.*;

import io.aioring.abi.layout.Layout;
import io.aioring.abi.spi.AioAttribute;

/**
 * Runs an iocb's attributes around its call, the same way whichever backend makes the call: the before hooks
 * (just after the start timestamp), then, once the call has returned, the after hooks and the return records. An
 * attribute that throws gets status FAILED; it never fails the iocb.
 */
final class AttributeHooks {
    private AttributeHooks() {
    }

    /**
     * Starts {@code op} on this thread and finishes what needs no call: an iocb that failed before any I/O (or was
     * cancelled), or one a before hook completed itself. Every backend begins an iocb here.
     *
     * @param calls the calling thread's own calls (errno, scratch), for the hooks
     * @param path  how it runs, for the path attribute
     * @return true if {@code op} is finished (its return records built); false if its call is still to be made
     */
    static boolean start(final InFlight op, final SyncCalls calls, final int path) {
        op.start(System.nanoTime(), calls);
        op.executionPath(path);
        if (op.failed()) {
            op.finish(op.preResult(), op.startNanos());
            withoutRunning(op);
            return true;
        }
        before(op);
        if (op.completedEarly()) {
            op.finishEarly(System.nanoTime());
            after(op);
            return true;
        }
        return false;
    }

    /**
     * The end of every call, wherever it ran: the result and completion time, then the after hooks and the return
     * records. (Posting follows: {@link CompletionPoster#finish}.)
     */
    static void finish(final InFlight op, final long result) {
        op.finish(result, System.nanoTime());
        after(op);
    }

    /** Runs every before hook; one may complete the operation early (then the call is not made). */
    static void before(final InFlight op) {
        for (int hooks = op.run().beforeHooks(); hooks != 0; hooks &= hooks - 1) {
            final int i = Integer.numberOfTrailingZeros(hooks);
            final AioAttribute attribute = op.run().attribute(i);
            if (attribute != null) {
                op.run().current(i);
                try {
                    attribute.before(op);
                } catch (final RuntimeException | LinkageError e) {
                    op.run().markBeforeFailed(i);
                }
            }
        }
    }

    /** Runs every after hook and writes the return records, in request order. */
    static void after(final InFlight op) {
        int position = 0;
        for (int i = 0, n = op.run().count(); i < n; i++) {
            final AioAttribute attribute = op.run().attribute(i);
            int status = STATUS_UNSUPPORTED;
            int payload = 0;
            if (attribute != null) {
                status = STATUS_FAILED;
                if (!op.run().beforeFailed(i)) {
                    op.run().current(i);
                    try {
                        status = attribute.after(op, op.run().returns(), position + HEADER_LENGTH);
                    } catch (final RuntimeException | LinkageError e) {
                        status = STATUS_FAILED;
                    }
                }
                if (status == STATUS_HANDLED) {
                    payload = attribute.returnLength();
                } else if (status != STATUS_UNSUPPORTED) {
                    status = STATUS_FAILED;
                }
            }
            position = putRecord(op, position, op.run().requestId(i), status, attribute == null ? 0 : attribute.version(), payload);
        }
        op.run().returnsLength(position);
    }

    /** The iocb failed before any I/O: its attributes did not run; the one that caused it, if any, says FAILED. */
    static void withoutRunning(final InFlight op) {
        int position = 0;
        for (int i = 0, n = op.run().count(); i < n; i++) {
            final AioAttribute attribute = op.run().attribute(i);
            position = putRecord(op, position, op.run().requestId(i), i == op.failedAttribute() ? STATUS_FAILED : STATUS_UNSUPPORTED,
                attribute == null ? 0 : attribute.version(), 0);
        }
        op.run().returnsLength(position);
    }

    private static int putRecord(final InFlight op, final int position, final int id, final int status, final int version,
                                 final int payload) {
        final var returns = op.run().returns();
        returns.putShort(position + ID_OFFSET, (short) id);
        returns.putByte(position + STATUS_OFFSET, (byte) status);
        returns.putByte(position + VERSION_OFFSET, (byte) version);
        returns.putInt(position + PAYLOAD_LENGTH_OFFSET, payload);
        final int span = Layout.returnRecordSpan(payload);
        final int padding = span - HEADER_LENGTH - payload;
        if (padding > 0) {
            returns.setMemory(position + HEADER_LENGTH + payload, padding, (byte) 0);
        }
        return position + span;
    }
}
