package io.aioring.abi;

import java.io.IOException;

import io.aioring.linux.Errno;

/**
 * An iocb's call failed: its event's result was -errno. What {@link AioFutures} fails a future with, so that a
 * failed read is never mistaken for a completed one. The event itself, attributes included, is still there.
 */
public final class IocbFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient AioFutures.Completion completion;

    /**
     * An iocb completed with an error.
     *
     * @param completion the event, whose result is negative
     */
    public IocbFailedException(final AioFutures.Completion completion) {
        super(Opcode.name(completion.opcode()) + " (user data " + completion.userData() + "): "
            + Errno.name((int) -completion.result()));
        this.completion = completion;
    }

    /** {@return the positive errno the call failed with, e.g. {@link Errno#EBADF}} */
    public int errno() {
        return (int) -completion.result();
    }

    /** {@return the event, copied out of the ring (its attribute records too)} */
    public AioFutures.Completion completion() {
        return completion;
    }
}
