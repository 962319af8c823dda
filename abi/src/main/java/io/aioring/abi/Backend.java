package io.aioring.abi;

import io.aioring.abi.layout.SetupDescriptor;

/**
 * Who makes a context's calls (docs/abi.md 2.12), for {@link SetupParams#backend(Backend)}:
 *
 * <pre>{@code
 * AioContext context = AioContext.setup(new SetupParams().backend(Backend.THREADS));
 * }</pre>
 */
public enum Backend {
    /** io_uring where the kernel allows it, else threads. */
    AUTO(SetupDescriptor.BACKEND_AUTO, "auto"),
    /** The kernel's io_uring: setup fails if it is refused. */
    IO_URING(SetupDescriptor.BACKEND_IO_URING, "io_uring"),
    /** The engine's own worker threads and readiness thread. */
    THREADS(SetupDescriptor.BACKEND_THREADS, "threads");

    private final int code;
    private final String label;

    Backend(final int code, final String label) {
        this.code = code;
        this.label = label;
    }

    /** {@return the value of the setup block's {@code backend} field} */
    public int code() {
        return code;
    }

    /** {@return the name the command line and the ring's header use: auto, io_uring or threads} */
    public String label() {
        return label;
    }

    /**
     * {@return the backend of that name}
     *
     * @param label auto, io_uring or threads
     * @throws IllegalArgumentException naming the three for any other
     */
    public static Backend byLabel(final String label) {
        for (final Backend backend : values()) {
            if (backend.label.equals(label)) {
                return backend;
            }
        }
        throw new IllegalArgumentException("backend " + label + ": expected auto, io_uring or threads");
    }
}
