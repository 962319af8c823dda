package io.aioring.stress;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.aioring.linux.ChildJvm;
import io.aioring.ring.RingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine's JVM SIGKILLed mid-run: two reaper JVMs drain what is left, report the engine gone, and end. */
class EngineKilledTest {
    @Test
    @Timeout(180)
    void reapersDrainAndReportTheEngineGone() throws Exception {
        final Path ring = RingFile.defaultPath();
        try (ChildJvm engine = ChildJvm.start(BusyEngineMain.class, ring.toString())) {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (!engine.log().contains("running")) {
                assertTrue(engine.process().isAlive(), engine.log());
                assertTrue(System.nanoTime() < deadline);
                Thread.sleep(10);
            }
            try (ChildJvm first = ChildJvm.start(DrainingReaperMain.class, ring.toString());
                 ChildJvm second = ChildJvm.start(DrainingReaperMain.class, ring.toString())) {
                for (final ChildJvm reaper : List.of(first, second)) {
                    while (!reaper.log().contains("reaping")) {
                        assertTrue(reaper.process().isAlive(), reaper.log());
                        assertTrue(System.nanoTime() < deadline);
                        Thread.sleep(10);
                    }
                }
                Thread.sleep(1_000);
                engine.kill();
                for (final ChildJvm reaper : List.of(first, second)) {
                    assertEquals(0, reaper.waitFor(60), "ended on its own: " + reaper.log());
                    assertTrue(reaper.log().contains("engine GONE; drained true"), reaper.log());
                }
            }
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(Path.of(ring + ".sock"));
            Files.deleteIfExists(Path.of(ring + ".overflow"));
        }
    }
}
