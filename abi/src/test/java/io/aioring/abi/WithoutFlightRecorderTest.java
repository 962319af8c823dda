package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.aioring.linux.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A runtime without JDK Flight Recorder (a jlink image may leave jdk.jfr out): a context sets up, completes I/O and
 * is destroyed at exit all the same, without its JFR events (it failed with NoClassDefFoundError: jdk/jfr/Event).
 */
class WithoutFlightRecorderTest {
    @Test
    @Timeout(60)
    void aContextWorksInAJvmWithoutJdkJfr() throws Exception {
        final List<String> command = new ArrayList<>(ChildJvm.command(UnclosedContextMain.class, "return"));
        command.addAll(1, List.of("--limit-modules", "java.base,jdk.unsupported"));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.startsWith("ring /"), "set up, one NOP completed: " + output);
    }
}
