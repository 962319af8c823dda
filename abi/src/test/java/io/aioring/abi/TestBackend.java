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

    /**
     * The environment variable that makes io_uring required ({@code AIORING_TEST_REQUIRE=io_uring}, as {@code .ci/run}
     * sets it): the runs that would use auto ask for io_uring instead, so a kernel or sandbox that refuses it fails
     * the build rather than testing the threads backend twice.
     */
    public static final String REQUIRE_ENV = "AIORING_TEST_REQUIRE";

    /** @return true if this run must have io_uring */
    public static boolean ioUringRequired() {
        return "io_uring".equalsIgnoreCase(System.getenv().getOrDefault(REQUIRE_ENV, "").trim());
    }

    /** @return the SetupDescriptor backend code of this run */
    public static int code() {
        final String name = System.getProperty(PROPERTY, "auto").toLowerCase(Locale.ROOT);
        return switch (name) {
            case "auto" -> ioUringRequired() ? SetupDescriptor.BACKEND_IO_URING : SetupDescriptor.BACKEND_AUTO;
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
