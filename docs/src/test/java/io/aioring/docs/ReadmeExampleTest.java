package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
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

/** The README's programs, as written there: compiled, run with the JVM flags, and their output checked. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleCompilesAndRuns() throws Exception {
        final List<String> sources = javaBlocks("## Using the library");
        assertTrue(!sources.isEmpty(), "the section has a java block");
        final String output = compileAndRun(sources.get(0));
        assertTrue(output.matches("read 4096 bytes in \\d+ ns, page cache hit\\n"), output);
    }

    /** The three programs on Java's channels, each as written there: compiled, run, and its one line checked. */
    @Test
    void theThreeProgramsOnJavasChannelsCompileAndRun() throws Exception {
        final List<String> sources = javaBlocks("### Three programs on Java's channels");
        assertEquals(3, sources.size(), "a copy, an echo server, a latency split");
        assertEquals("copied 209715200 bytes, identical: true\n", compileAndRun(sources.get(0)));
        assertEquals("echoed 1000 messages\n", compileAndRun(sources.get(1)));
        final String latency = compileAndRun(sources.get(2));
        final Matcher counts = Pattern.compile("hits (\\d+), median \\d+ us; misses (\\d+), median \\d+ us\\n").matcher(latency);
        assertTrue(counts.matches(), latency);
        assertEquals(8192, Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2)), latency);
        assertTrue(Integer.parseInt(counts.group(2)) > 0, "a file written with O_DIRECT starts outside the page cache: " + latency);
    }

    /** @return the java blocks of the README section that starts with {@code heading}, up to the next heading of its level or above */
    private static List<String> javaBlocks(final String heading) throws IOException {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int start = readme.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "the README has the section " + heading);
        final String level = heading.substring(0, heading.indexOf(' ') + 1);
        int end = readme.length();
        for (final String prefix : List.of("\n## ", "\n" + level)) {
            final int next = readme.indexOf(prefix, start + heading.length() + 1);
            if (next >= 0) {
                end = Math.min(end, next);
            }
        }
        final Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme.substring(start, end));
        final List<String> sources = new ArrayList<>();
        while (block.find()) {
            sources.add(block.group(1));
        }
        return sources;
    }

    /** Compiles {@code source} (a public class) against this build's class path, runs it with the JVM flags. */
    private String compileAndRun(final String source) throws Exception {
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
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), "the program ended");
        assertEquals(0, run.exitValue(), output);
        return output;
    }
}
