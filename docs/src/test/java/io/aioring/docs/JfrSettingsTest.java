package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import jdk.jfr.Configuration;

import org.junit.jupiter.api.Test;

/** docs/aioring.jfc, the JFR settings the README tells users to add, is one JFR reads, and says what it promises. */
class JfrSettingsTest {
    @Test
    void theShippedSettingsRecordEveryCompletionAndTheStatistics() throws Exception {
        final Configuration configuration = Configuration.create(Path.of("..").toAbsolutePath().normalize()
            .resolve("docs/aioring.jfc"));
        final Map<String, String> settings = configuration.getSettings();
        assertEquals("true", settings.get("io.aioring.Completion#enabled"));
        assertEquals("0 ms", settings.get("io.aioring.Completion#threshold"));
        assertEquals("true", settings.get("io.aioring.ContextStatistics#enabled"));
        assertEquals("1 s", settings.get("io.aioring.ContextStatistics#period"));
    }
}
