package io.aioring.linux;

/** An io_uring call failed: which call, and the errno the kernel gave (ENOSYS, EPERM, EINVAL, ENOMEM...). */
public final class IoUringException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The positive errno the call failed with. */
    private final int errno;

    /**
     * A call of io_uring's failed.
     *
     * @param call  what was called, with its arguments
     * @param errno the positive errno
     */
    public IoUringException(final String call, final int errno) {
        super(call + " failed: " + Errno.name(errno) + switch (errno) {
            case Errno.ENOSYS -> " (this kernel has no io_uring)";
            case Errno.EPERM -> " (io_uring is disabled: kernel.io_uring_disabled, or a seccomp filter)";
            case Errno.EINVAL -> " (a flag or size this kernel does not accept)";
            default -> "";
        });
        this.errno = errno;
    }

    /** {@return the positive errno} */
    public int errno() {
        return errno;
    }
}
