package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import io.aioring.linux.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring refused for real: a JVM whose threads run under a seccomp filter that answers io_uring_setup with EPERM
 * (what container runtimes' default profiles do). auto falls back to threads and says why; asking for io_uring
 * fails setup naming the field and the errno.
 */
class BackendRefusalTest {
    @Test
    @Timeout(60)
    void underASeccompFilterAutoFallsBackToThreadsAndSaysWhy() throws Exception {
        try (ChildJvm child = ChildJvm.start(NoIoUringMain.class)) {
            assertEquals(0, child.waitFor(50), child.log());
            final String log = child.log();
            assertTrue(log.contains("probe threads 1"), log);
            assertTrue(log.contains("auto threads 1 nop 42"), log);
            assertTrue(log.contains("io_uring refused, field backend: ") && log.contains("io_uring_setup(") && log.contains("EPERM"), log);
        }
    }
}
