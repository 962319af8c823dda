package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.aioring.linux.JvmFlags;

import org.junit.jupiter.api.Test;

/**
 * The house rules, read from the sources: layers point one way, the context area's offsets are used only by the
 * layout package, the engine is reached only through the public API, the docs name classes that exist, and the
 * JVM flags are the same everywhere they are written.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+?)(?:\\.[A-Z*][\\w*]*)*;", Pattern.MULTILINE);

    record Source(Path path, String pkg, String text, boolean main) {
        boolean imports(final String prefix) {
            final Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                if (m.group(1).equals(prefix) || m.group(1).startsWith(prefix + ".")) {
                    return true;
                }
            }
            // qualified use without an import
            return Pattern.compile("\\b" + Pattern.quote(prefix) + "\\.[A-Z]").matcher(text.replaceAll("(?m)^(package|import) .*$", "")).find();
        }

        @Override
        public String toString() {
            return ROOT.relativize(path).toString();
        }
    }

    private static List<Source> sources() throws IOException {
        final List<Source> sources = new ArrayList<>();
        // Hidden directories (.git, where objects come and go while git runs) and build output are never entered.
        Files.walkFileTree(ROOT, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(final Path dir, final java.nio.file.attribute.BasicFileAttributes attrs) {
                final String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return !dir.equals(ROOT) && (name.startsWith(".") || name.equals("target"))
                    ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(final Path file, final java.nio.file.attribute.BasicFileAttributes attrs)
                throws IOException {
                final String name = ROOT.relativize(file).toString();
                if (name.endsWith(".java")) {
                    final String text = Files.readString(file);
                    final Matcher m = PACKAGE.matcher(text);
                    if (m.find()) {
                        sources.add(new Source(file, m.group(1), text, name.contains("/src/main/")));
                    }
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        assertTrue(sources.size() > 100, "found " + sources.size() + " sources under " + ROOT);
        return sources;
    }

    @Test
    void onlyTheLayoutPackageUsesContextAreaOffsets() throws IOException {
        final Pattern offset = Pattern.compile("ContextDescriptor\\.[A-Z_]+_OFFSET|import static io\\.aioring\\.abi\\.layout\\.ContextDescriptor");
        final List<Source> offenders = sources().stream()
            .filter(s -> s.main() && !s.pkg().equals("io.aioring.abi.layout") && offset.matcher(s.text()).find())
            .toList();
        assertEquals(List.of(), offenders, "product code outside io.aioring.abi.layout that adds context-area offsets by hand");
    }

    @Test
    void onlyTheApiReachesTheEngine() throws IOException {
        final List<Source> offenders = sources().stream()
            .filter(s -> !s.pkg().equals("io.aioring.abi") && !s.pkg().equals("io.aioring.abi.engine")
                && s.imports("io.aioring.abi.engine"))
            .toList();
        assertEquals(List.of(), offenders, "code that imports io.aioring.abi.engine without being the API or the engine");
    }

    @Test
    void theEngineImportsNothingOfTheApiPackage() throws IOException {
        final Pattern api = Pattern.compile("\\bio\\.aioring\\.abi\\.[A-Z]");
        final List<Source> offenders = sources().stream()
            .filter(s -> s.main() && s.pkg().equals("io.aioring.abi.engine") && api.matcher(s.text()).find())
            .toList();
        assertEquals(List.of(), offenders, "engine code that uses a class of io.aioring.abi (the API sits on the engine)");
    }

    @Test
    void noEngineFileIsOver400Lines() throws IOException {
        final List<String> offenders = sources().stream()
            .filter(s -> s.main() && s.pkg().equals("io.aioring.abi.engine"))
            .filter(s -> s.text().split("\n", -1).length - 1 > 400)
            .map(s -> s + " (" + (s.text().split("\n", -1).length - 1) + " lines)")
            .toList();
        assertEquals(List.of(), offenders, "engine files over 400 lines: split them by job");
    }

    /** The opcode table (OpDef) and its family files (*Ops) are the only engine code that names an opcode. */
    @Test
    void onlyTheOpcodeTableNamesOpcodes() throws IOException {
        final String descriptor = Files.readString(ROOT.resolve("abi/src/main/java/io/aioring/abi/layout/OpcodeDescriptor.java"));
        final List<String> names = new ArrayList<>();
        final Matcher constant = Pattern.compile("public static final int ([A-Z_]+) = \\d+;").matcher(
            descriptor.substring(0, descriptor.indexOf("COUNT =")));
        while (constant.find()) {
            names.add(constant.group(1));
        }
        assertTrue(names.size() > 20, "opcode names found in OpcodeDescriptor: " + names);
        final Pattern named = Pattern.compile("\\b(?:OpcodeDescriptor|Opcode)\\.(" + String.join("|", names) + ")\\b");
        final List<String> offenders = new ArrayList<>();
        for (final Source s : sources()) {
            final String file = s.path().getFileName().toString();
            if (s.main() && s.pkg().equals("io.aioring.abi.engine") && !file.equals("OpDef.java") && !file.endsWith("Ops.java")) {
                final Matcher m = named.matcher(s.text());
                if (m.find()) {
                    offenders.add(s + " names " + m.group());
                }
            }
        }
        assertEquals(List.of(), offenders, "engine code outside the opcode table and its family files that names an opcode");
    }

    @Test
    void layersPointOneWay() throws IOException {
        final List<String> offenders = new ArrayList<>();
        for (final Source s : sources()) {
            if (!s.main()) {
                continue;
            }
            final List<String> forbidden = switch (s.pkg()) {
                case "io.aioring.linux" -> List.of("io.aioring.ring", "io.aioring.abi", "io.aioring.attributes", "io.aioring.cli", "org.agrona");
                case "io.aioring.ring" -> List.of("io.aioring.abi", "io.aioring.attributes", "io.aioring.cli");
                case "io.aioring.abi.layout" -> List.of("io.aioring.abi.engine", "io.aioring.abi.spi", "io.aioring.attributes", "io.aioring.cli");
                case "io.aioring.abi.spi" -> List.of("io.aioring.abi.engine", "io.aioring.attributes", "io.aioring.cli");
                case "io.aioring.abi", "io.aioring.abi.engine" -> List.of("io.aioring.attributes", "io.aioring.cli");
                case "io.aioring.attributes" -> List.of("io.aioring.cli");
                // nio sits on top, beside the command line: it reads the built-in attributes' records (reports).
                case "io.aioring.nio" -> List.of("io.aioring.abi.engine", "io.aioring.cli");
                default -> List.of();
            };
            for (final String prefix : forbidden) {
                if (s.imports(prefix)) {
                    offenders.add(s + " (" + s.pkg() + ") uses " + prefix);
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void everyPackageSaysWhatLivesThere() throws IOException {
        final Set<Path> packages = new TreeSet<>();
        for (final Source s : sources()) {
            if (s.main()) {
                packages.add(s.path().getParent());
            }
        }
        final List<Path> missing = packages.stream().filter(p -> !Files.exists(p.resolve("package-info.java")))
            .map(ROOT::relativize).toList();
        assertEquals(List.of(), missing, "packages without package-info.java");
    }

    /** The packages a user of the library sees (the javadoc jars hold them). */
    private static final Set<String> EXPORTED = Set.of("io.aioring.linux", "io.aioring.ring", "io.aioring.abi",
        "io.aioring.abi.layout", "io.aioring.abi.spi", "io.aioring.attributes");

    @Test
    void everyExportedTypeIsDocumented() throws IOException {
        final Pattern type = Pattern.compile("^public (?:final |abstract |sealed )*(?:class|interface|enum|record|@interface) (\\w+)",
            Pattern.MULTILINE);
        final List<String> undocumented = new ArrayList<>();
        for (final Source s : sources()) {
            if (!s.main() || !EXPORTED.contains(s.pkg())) {
                continue;
            }
            final Matcher m = type.matcher(s.text());
            if (m.find()) {
                final String before = s.text().substring(0, m.start()).stripTrailing();
                final String withoutAnnotations = before.replaceAll("(?s)(\\s*@\\w+(\\([^)]*\\))?)+$", "");
                if (!withoutAnnotations.endsWith("*/")) {
                    undocumented.add(s + " (" + m.group(1) + ")");
                }
            }
        }
        assertEquals(List.of(), undocumented, "exported types without a javadoc comment");
    }

    /** Names in backticks in the README and docs that are not aioring's own classes. */
    private static final Set<String> EXTERNAL = Set.of("OneToOneRingBuffer", "ManyToOneRingBuffer", "FileChannel",
        "AsynchronousFileChannel", "ServiceLoader", "MemorySegment", "UnsafeBuffer", "IdleStrategy", "Histogram",
        "ByteBuffer", "RingBufferDescriptor", "CncFileDescriptor", "System", "Arena", "DirectBuffer", "AtomicBuffer",
        "RecordingStream", "RecordingFile", "CompletableFuture", "AutoCloseable", "Automatic", "Path", "Selector",
        "Files", "Future", "OverlappingFileLockException", "AsynchronousCloseException", "ExtendedOpenOption",
        "UnsupportedOperationException", "AsynchronousSocketChannel", "AsynchronousServerSocketChannel",
        "SocketChannel", "InternalError", "FileRead", "AsynchronousChannelGroup", "ReadPendingException",
        "WritePendingException", "AcceptPendingException", "InterruptedByTimeoutException", "IllegalStateException",
        "ShutdownChannelGroupException", "DefaultThreadPool", "IOException", "Duration", "StandardOpenOption",
        "UnsupportedAddressTypeException", "IllegalChannelGroupException");

    @Test
    void theDocsNameClassesThatExist() throws IOException {
        final Set<String> classes = new TreeSet<>();
        final Pattern eventName = Pattern.compile("NAME = \"io\\.aioring\\.([A-Z]\\w+)\"");
        for (final Source s : sources()) {
            classes.add(s.path().getFileName().toString().replace(".java", ""));
            final Matcher flightRecorderEvent = eventName.matcher(s.text()); // a JFR event's name, io.aioring.X
            while (flightRecorderEvent.find()) {
                classes.add(flightRecorderEvent.group(1));
            }
        }
        final Pattern code = Pattern.compile("`([^`\\n]+)`");
        final Pattern className = Pattern.compile("(?<![\\w-])([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?=[.#(`\\s]|$)");
        final List<String> unknown = new ArrayList<>();
        final List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
        }
        for (final Path doc : docs) {
            final Matcher spans = code.matcher(Files.readString(doc));
            while (spans.find()) {
                final String span = spans.group(1);
                if (span.contains(" ") && !span.matches("[\\w.#()]+\\(.*\\)")) {
                    continue; // a command line or a sentence of code, not a class reference
                }
                final Matcher names = className.matcher(span);
                while (names.find()) {
                    final String name = names.group(1);
                    if (!classes.contains(name) && !EXTERNAL.contains(name)) {
                        unknown.add(ROOT.relativize(doc) + ": `" + span + "` names " + name);
                    }
                }
            }
        }
        assertEquals(List.of(), unknown, "class names in the docs with no class behind them");
    }

    @Test
    void theJvmFlagsAreTheSameEverywhere() throws IOException {
        final String pom = Files.readString(ROOT.resolve("pom.xml"));
        final Matcher property = Pattern.compile("<aioring\\.jvm\\.flags>([^<]+)</aioring\\.jvm\\.flags>").matcher(pom);
        assertTrue(property.find(), "pom.xml has no aioring.jvm.flags property");
        assertEquals(JvmFlags.line(), property.group(1).trim(), "pom.xml's aioring.jvm.flags");
        final String script = Files.readString(ROOT.resolve("scripts/find-jdk.sh"));
        final Matcher shell = Pattern.compile("AIORING_JVM_FLAGS=\"([^\"]+)\"").matcher(script);
        assertTrue(shell.find(), "scripts/find-jdk.sh sets no AIORING_JVM_FLAGS");
        assertEquals(JvmFlags.line(), shell.group(1), "scripts/find-jdk.sh's AIORING_JVM_FLAGS");
        final List<String> spelledOut = new ArrayList<>();
        for (final Source s : sources()) {
            if (s.text().contains("jdk.internal.misc=ALL-UNNAMED") && !s.path().endsWith("JvmFlags.java") && !s.path().endsWith("ArchitectureTest.java")) {
                spelledOut.add(s.toString());
            }
        }
        assertEquals(List.of(), spelledOut, "Java code that spells the flags out instead of using JvmFlags");
    }

    /**
     * The bom (which has no parent, so its versions are its own) names every library module — each module that is
     * deployed and is not the command line — at the build's version, and the README's snippet names that version.
     */
    @Test
    void theBomNamesEveryLibraryAtTheBuildsVersion() throws IOException {
        final Matcher parentVersion = Pattern.compile("<artifactId>aioring-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(parentVersion.find(), "pom.xml's version");
        final String version = parentVersion.group(1);
        final List<String> libraries = new ArrayList<>();
        final Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (modules.find()) {
            final String module = modules.group(1);
            final String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            if (!module.equals("bom") && !module.equals("cli") && !pom.contains("<maven.deploy.skip>true</maven.deploy.skip>")) {
                libraries.add("aioring-" + module);
            }
        }
        final String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        final Matcher own = Pattern.compile("<artifactId>aioring-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
        assertTrue(own.find(), "the bom's own version");
        assertEquals(version, own.group(1), "the bom's version");
        final List<String> named = new ArrayList<>();
        final Matcher entries = Pattern.compile("<artifactId>(aioring-[\\w-]+)</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
        while (entries.find()) {
            if (!entries.group(1).equals("aioring-bom")) {
                named.add(entries.group(1));
                assertEquals(version, entries.group(2), entries.group(1) + "'s version in the bom");
            }
        }
        assertEquals(libraries, named, "the bom's modules");
        final String readme = Files.readString(ROOT.resolve("README.md"));
        assertTrue(readme.contains("<artifactId>aioring-bom</artifactId>\n        <version>" + version + "</version>"),
            "the README's dependency snippet imports the bom at " + version);
    }
}
