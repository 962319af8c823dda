package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import io.aioring.linux.JvmFlags;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Using the library" program, as written there: compiled, run with the JVM flags, and its output checked. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleCompilesAndRuns() throws Exception {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int section = readme.indexOf("## Using the library");
        assertTrue(section >= 0, "the README has its section");
        final Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(section), "the section has a java block");
        final String source = block.group(1);
        final Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(name.find(), "the block is a public class");
        final Path file = Files.writeString(dir.resolve(name.group(1) + ".java"), source);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final java.io.ByteArrayOutputStream diagnostics = new java.io.ByteArrayOutputStream();
        final int compiled = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(),
            "-cp", System.getProperty("java.class.path"), file.toString());
        assertEquals(0, compiled, "javac:\n" + diagnostics);
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JvmFlags.REQUIRED);
        command.addAll(List.of("-cp", dir + java.io.File.pathSeparator + System.getProperty("java.class.path"), name.group(1)));
        final Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(run.getInputStream().readAllBytes());
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the example ended");
        assertEquals(0, run.exitValue(), output);
        assertTrue(output.matches("read 4096 bytes in \\d+ ns, page cache hit\\n"), output);
    }
}
