package io.aioring.abi;

import java.util.Locale;

import io.aioring.abi.layout.SetupDescriptor;

/**
 * The backend the tests of this run set up contexts with: {@code -Daioring.test.backend=auto|io_uring|threads}
 * (default auto). The build runs the suites that make contexts once per backend (see the Surefire executions).
 */
public final class TestBackend {
    public static final String PROPERTY = "aioring.test.backend";

    private TestBackend() {
    }

    /** @return the SetupDescriptor backend code of this run */
    public static int code() {
        final String name = System.getProperty(PROPERTY, "auto").toLowerCase(Locale.ROOT);
        return switch (name) {
            case "auto" -> SetupDescriptor.BACKEND_AUTO;
            case "io_uring" -> SetupDescriptor.BACKEND_IO_URING;
            case "threads" -> SetupDescriptor.BACKEND_THREADS;
            default -> throw new IllegalArgumentException(PROPERTY + "=" + name + ": expected auto, io_uring or threads");
        };
    }

    /** @return default setup parameters with this run's backend */
    public static SetupParams params() {
        return new SetupParams().backend(code());
    }
}
