package io.aioring.abi;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** io_setup2: each refused parameter is named; the negotiated version and features land in the ring header. */
class SetupTest {
    @TempDir
    Path dir;

    private static SetupException refused(final SetupParams params) {
        return assertThrows(SetupException.class, () -> AioContext.setup(params, new AttributeRegistry(List.of())));
    }

    @Test
    void theBackendEnumChoosesTheBackend() {
        try (AioContext context = AioContext.setup(new SetupParams().backend(Backend.THREADS), new AttributeRegistry(List.of()))) {
            assertEquals(Backend.THREADS.label(), context.backend());
            context.submit(new IocbWriter(new org.agrona.concurrent.UnsafeBuffer(new byte[256])).nop(4));
            final long[] seen = {-1};
            assertEquals(1, context.getevents(1, 1 << 16, java.time.Duration.ofSeconds(10), e -> seen[0] = e.userData()));
            assertEquals(4, seen[0]);
        }
        assertEquals(Backend.IO_URING, Backend.byLabel("io_uring"));
        assertEquals("backend uring: expected auto, io_uring or threads",
            assertThrows(IllegalArgumentException.class, () -> Backend.byLabel("uring")).getMessage());
    }

    @Test
    void unknownVersion() {
        final SetupException e = refused(new SetupParams().abiVersion(2));
        assertEquals("abi_version", e.field());
        assertEquals("abi_version: version 2 is not supported; this build supports version 1", e.getMessage());
    }

    @Test
    void unknownFlag() {
        final SetupException e = refused(new SetupParams().flags(0x10));
        assertEquals("flags", e.field());
        assertTrue(e.getMessage().contains("unknown flag bits 0x10"), e.getMessage());
        assertEquals("flags", refused(new SetupParams().flags(SetupDescriptor.FLAG_EVENTFD_SOCKET)).field());
    }

    @Test
    void autoPicksIoUringWhereTheKernelAllowsItAndTheContextAreaSaysWhich() {
        final Probe probe = AioContext.probe();
        try (AioContext context = AioContext.setup(new SetupParams(), new AttributeRegistry(List.of()))) {
            assertEquals(probe.autoBackend(), context.backend());
            assertEquals(probe.ioUringErrno(), context.backendRefusal());
            final ContextArea area = new ContextArea(context.ring().buffer());
            assertEquals(probe.ioUringErrno() == 0 ? SetupDescriptor.BACKEND_IO_URING : SetupDescriptor.BACKEND_THREADS,
                area.backend());
            assertEquals(probe.ioUringErrno(), area.backendErrno());
        }
    }

    /** Where the run requires io_uring (.ci/run does), auto must find it: a refusal fails here, saying why. */
    @Test
    void ioUringIsThereWhereTheRunRequiresIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestBackend.ioUringRequired(), TestBackend.REQUIRE_ENV + " is not set");
        final Probe probe = AioContext.probe();
        assertEquals(0, probe.ioUringErrno(), "io_uring is required, and this kernel or sandbox refuses it: "
            + io.aioring.linux.Errno.name(probe.ioUringErrno()));
        assertEquals("io_uring", probe.autoBackend());
    }

    @Test
    void eachBackendCanBeAskedFor() {
        try (AioContext threads = AioContext.setup(new SetupParams().backend(SetupDescriptor.BACKEND_THREADS),
            new AttributeRegistry(List.of()))) {
            assertEquals("threads", threads.backend());
            assertEquals(0, threads.backendRefusal());
        }
        final Probe probe = AioContext.probe();
        if (probe.ioUringErrno() == 0) {
            try (AioContext ring = AioContext.setup(new SetupParams().backend(SetupDescriptor.BACKEND_IO_URING),
                new AttributeRegistry(List.of()))) {
                assertEquals("io_uring", ring.backend());
            }
        } else {
            final SetupException e = refused(new SetupParams().backend(SetupDescriptor.BACKEND_IO_URING));
            assertEquals("backend", e.field());
            assertTrue(e.getMessage().contains(io.aioring.linux.Errno.name(probe.ioUringErrno())), e.getMessage());
        }
    }

    /** Default ring names carry 64 random bits, so another user cannot plant files under the names a context takes. */
    @Test
    void defaultRingNamesCannotBeGuessed() {
        try (AioContext a = AioContext.setup(new SetupParams().overflowBound(64), new AttributeRegistry(List.of()));
             AioContext b = AioContext.setup(new SetupParams().overflowBound(64), new AttributeRegistry(List.of()))) {
            final java.util.regex.Pattern name = java.util.regex.Pattern.compile(
                "aioring-" + ProcessHandle.current().pid() + "-[0-9]+-([0-9a-f]{16})\\.ring");
            final java.util.regex.Matcher ma = name.matcher(a.ringPath().getFileName().toString());
            final java.util.regex.Matcher mb = name.matcher(b.ringPath().getFileName().toString());
            assertTrue(ma.matches() && mb.matches(), a.ringPath() + ", " + b.ringPath());
            assertNotEquals(ma.group(1), mb.group(1));
            assertEquals(a.ringPath() + ".sock", a.eventfdSocket().toString());
        }
    }

    @Test
    void unknownBackend() {
        final SetupException e = refused(new SetupParams().backend(3));
        assertEquals("backend", e.field());
        assertTrue(e.getMessage().contains("3 is outside [0, 2]"), e.getMessage());
    }

    @Test
    void nonZeroReserved() {
        final SetupParams params = new SetupParams();
        params.block().putInt(SetupDescriptor.RESERVED_OFFSET + 8, 5);
        final SetupException e = refused(params);
        assertEquals("reserved", e.field());
        assertTrue(e.getMessage().contains("byte 44 holds 0x5"), e.getMessage());
        // The byte named is the byte set, not the start of its word.
        final SetupParams last = new SetupParams();
        last.block().putByte(SetupDescriptor.LENGTH - 1, (byte) 7);
        assertTrue(refused(last).getMessage().contains("byte 63 holds 0x7"));
    }

    /** openFile: a descriptor of the context's own, closed by destroy; a missing file is one line with its errno. */
    @Test
    void openFileGivesADescriptorThatDestroyCloses() throws Exception {
        final java.nio.file.Path file = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("aioring-open", ".txt"), "x");
        try {
            final AioContext context = AioContext.setup(TestBackend.params(), new AttributeRegistry(List.of()));
            final int fd;
            try {
                fd = context.openFile(file, io.aioring.linux.Linux.O_RDONLY);
                assertEquals(file.toRealPath(), java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)));
                final java.io.IOException missing = assertThrows(java.io.IOException.class,
                    () -> context.openFile(file.resolveSibling("no-such-file"), io.aioring.linux.Linux.O_RDONLY));
                assertEquals("cannot open " + file.resolveSibling("no-such-file") + ": ENOENT", missing.getMessage());
            } finally {
                context.destroy();
            }
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/fd/" + fd)), "destroy closed it");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    /** Started without the flags, a JVM is told which one in one line, not with an IllegalAccessError. */
    @Test
    void aJvmWithoutTheFlagsIsToldWhichInOneLine() throws Exception {
        final Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), MissingFlagsMain.class.getName()).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("java.lang.IllegalStateException: aioring needs the JVM flag " + io.aioring.linux.JvmFlags.ADD_EXPORTS + " "
            + io.aioring.linux.JvmFlags.UNSAFE_EXPORT + " (Agrona's Unsafe); start java with: " + io.aioring.linux.JvmFlags.line()
            + "\n", output);
    }

    @Test
    void aMisalignedInitialPosition() {
        final SetupException e = refused(new SetupParams().ringInitialPosition(-12));
        assertEquals("ring_initial_position", e.field());
        assertTrue(e.getMessage().contains("4294967284 is not a multiple of 8"), e.getMessage());
    }

    @Test
    void tooManyFdSlots() {
        final SetupException e = refused(new SetupParams().fdSlots(SetupDescriptor.MAX_FD_SLOTS + 1));
        assertEquals("fd_slots", e.field());
    }

    @Test
    void ringSizeNotAPowerOfTwo() {
        final SetupException e = refused(new SetupParams().ringDataBytes(5000));
        assertEquals("ring_data_bytes", e.field());
        assertTrue(e.getMessage().contains("not a power of two"), e.getMessage());
        assertEquals("ring_data_bytes", refused(new SetupParams().ringDataBytes(512)).field());
    }

    @Test
    void outOfRangeCounts() {
        assertEquals("workers", refused(new SetupParams().workers(0)).field());
        assertEquals("workers", refused(new SetupParams().workers(1000)).field());
        assertEquals("max_in_flight", refused(new SetupParams().maxInFlight(0)).field());
        assertEquals("overflow_bound", refused(new SetupParams().overflowBound(-1)).field());
    }

    @Test
    void anExistingRingPath() throws Exception {
        final Path taken = Files.createFile(dir.resolve("taken.ring"));
        final SetupException e = refused(new SetupParams().ringPath(taken));
        assertEquals("ring_path", e.field());
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void theHeaderCarriesTheNegotiatedVersionAndFeatures() {
        try (AioContext context = AioContext.setup(new SetupParams().ringDataBytes(8192).workers(3).maxInFlight(64)
            .overflowBound(100), new AttributeRegistry(List.of()))) {
            assertTrue(context.ringPath().startsWith("/dev/shm"), context.ringPath().toString());
            try (RingFile other = RingFile.open(context.ringPath(), ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
                final var header = other.ring().buffer();
                assertEquals(RingDescriptor.ABI_VERSION, header.getInt(RingDescriptor.ABI_VERSION_OFFSET));
                assertEquals(ContextDescriptor.INCOMPAT_EVENTS_V1, other.ring().incompatFeatures());
                assertEquals(ContextDescriptor.COMPAT_CONTEXT_AREA | ContextDescriptor.COMPAT_EVENTFD_SOCKET
                    | ContextDescriptor.COMPAT_BACKEND | ContextDescriptor.COMPAT_REAPED_SEQUENCE
                    | ContextDescriptor.COMPAT_TAIL_FUTEX | ContextDescriptor.COMPAT_DURABLE_OVERFLOW
                    | ContextDescriptor.COMPAT_IOCB_ASYNC | ContextDescriptor.COMPAT_TOTALS
                    | ContextDescriptor.COMPAT_CLAIMS_IN_PROGRESS | ContextDescriptor.COMPAT_CORRUPTED_FLAG,
                    other.ring().compatFeatures());
                assertEquals(8192, other.ring().dataLength());
                assertEquals(io.aioring.abi.layout.TotalsDescriptor.TRAILER_LENGTH, other.ring().trailerLength());
                assertEquals(3, header.getInt(ContextDescriptor.WORKERS_OFFSET));
                assertEquals(64, header.getInt(ContextDescriptor.MAX_IN_FLIGHT_OFFSET));
                assertEquals(100, header.getInt(ContextDescriptor.OVERFLOW_BOUND_OFFSET));
                final int socketLength = header.getInt(ContextDescriptor.SOCKET_PATH_LENGTH_OFFSET);
                assertEquals(context.eventfdSocket().toString(),
                    header.getStringWithoutLengthUtf8(ContextDescriptor.SOCKET_PATH_OFFSET, socketLength));
                assertNotEquals(0, other.ring().heartbeat());
            }
            assertThrows(io.aioring.ring.RingFormatException.class, () -> RingFile.open(context.ringPath()),
                "a reader that does not know the event format refuses the ring");
        }
    }

    @Test
    void destroyLeavesNoFileNoFdNoThread() throws Exception {
        final long fdsBefore = openFds();
        final long threadsBefore = aioringThreads();
        final AioContext context = AioContext.setup(new SetupParams(), new AttributeRegistry(List.of()));
        final Path ring = context.ringPath();
        final Path socket = context.eventfdSocket();
        assertTrue(Files.exists(ring) && Files.exists(socket));
        assertTrue(aioringThreads() > threadsBefore);
        assertEquals(0, context.destroy());
        assertFalse(Files.exists(ring));
        assertFalse(Files.exists(socket));
        assertEquals(fdsBefore, openFds());
        assertEquals(threadsBefore, aioringThreads());
        assertThrows(IllegalStateException.class, () -> context.submit(new IocbWriter(new org.agrona.concurrent.UnsafeBuffer(new byte[64])).nop(1)));
        assertEquals(0, context.destroy(), "destroy twice is harmless");
    }

    @Test
    void probeListsOpcodesAndAttributes() {
        final Probe probe = Probe.of(new AttributeRegistry(List.of()));
        assertEquals(1, probe.abiVersion());
        assertEquals(Opcode.COUNT, probe.opcodes().size());
        assertTrue(probe.supportsOpcode(Opcode.FDATASYNC));
        assertEquals("openat", probe.opcodes().get(Opcode.OPENAT).name());
        assertTrue(probe.attributes().isEmpty());
    }

    private static long openFds() throws Exception {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    /**
     * A setup that fails with an Error, not an exception (here a third-party attribute that cannot load a class it
     * needs once the engine asks it): the ring and overflow files made so far go with it (they stayed, unfinished).
     */
    @Test
    void aSetupThatFailsWithAnErrorLeavesNoFiles() throws Exception {
        final boolean[] armed = {false};
        final io.aioring.abi.spi.AioAttribute broken = new io.aioring.abi.spi.AioAttribute() {
            @Override
            public int id() {
                return 4000;
            }

            @Override
            public String name() {
                return "broken";
            }

            @Override
            public int version() {
                return 1;
            }

            @Override
            public int maxRequestLength() {
                return 0;
            }

            @Override
            public int returnLength() {
                if (armed[0]) {
                    throw new NoClassDefFoundError("a class the attribute needs");
                }
                return 8;
            }

            @Override
            public boolean supports(final int opcode) {
                return true;
            }

            @Override
            public int after(final io.aioring.abi.spi.Operation operation, final org.agrona.MutableDirectBuffer out,
                             final int index) {
                return 0;
            }
        };
        final AttributeRegistry registry = new AttributeRegistry(List.of(broken));
        armed[0] = true;
        final Path ring = dir.resolve("failed.ring");
        assertThrows(NoClassDefFoundError.class, () -> AioContext.setup(new SetupParams().ringPath(ring), registry));
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "nothing left of the failed setup");
        }
    }

    private static long aioringThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("aioring-")).count();
    }
}
