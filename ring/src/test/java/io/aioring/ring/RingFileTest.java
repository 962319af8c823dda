package io.aioring.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating, opening, closing and deleting ring files, and refusing files that are not rings we can read. */
class RingFileTest {
    @TempDir
    Path dir;

    /**
     * Default names: pid, a count and 16 hex digits from getrandom(2), zero-padded (one in 16 begins with 0), never
     * the same twice (1,000 asked).
     */
    @Test
    void defaultPathsCarrySixtyFourRandomBits() {
        final java.util.Set<String> randoms = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            final String name = RingFile.defaultPath().getFileName().toString();
            final java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("aioring-" + ProcessHandle.current().pid() + "-\\d+-([0-9a-f]{16})\\.ring").matcher(name);
            assertTrue(m.matches(), name);
            assertTrue(randoms.add(m.group(1)), "a random part seen before: " + name);
        }
        assertTrue(randoms.stream().map(r -> r.charAt(0)).distinct().count() > 8, "the leading digit varies: " + randoms.size());
    }

    @Test
    void createUnderDevShmWithMode0600AndOpenFromAnotherMapping() throws Exception {
        final RingFile created = RingFile.create(RingFile.defaultPath(), RingSpec.of(8192).withFeatures(0x5, 0));
        try {
            assertTrue(created.path().startsWith("/dev/shm"), created.path().toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created.path())));
            assertEquals(RingDescriptor.totalLength(8192), Files.size(created.path()));
            final RingProducer producer = new RingProducer(created.ring());
            assertTrue(producer.offer(3, new UnsafeBuffer("hello".getBytes()), 0, 5));
            try (RingFile opened = RingFile.open(created.path())) {
                assertEquals(8192, opened.ring().dataLength());
                assertEquals(1024, opened.ring().maxPayloadLength());
                assertEquals(0x5, opened.ring().compatFeatures());
                assertEquals(ProcessHandle.current().pid(), opened.ring().producerPid());
                final StringBuilder got = new StringBuilder();
                assertEquals(1, new RingReaper(opened.ring(), RingReaper.Mode.SHARED)
                    .poll((type, buffer, index, length) -> got.append(type).append(':').append(buffer.getStringWithoutLengthAscii(index, length))));
                assertEquals("3:hello", got.toString());
            }
            assertEquals(created.ring().head(), created.ring().tail());
        } finally {
            created.delete();
        }
        assertFalse(Files.exists(created.path()));
    }

    /** The trailer after the data area: sized, zeroed, found by readers, and checked like the rest of the header. */
    @Test
    void aTrailerFollowsTheDataAreaAndACutOrBadOneIsRefused() throws Exception {
        final RingFile created = RingFile.create(dir.resolve("trailer.ring"), RingSpec.of(8192).withTrailer(8192));
        try {
            assertEquals(RingDescriptor.totalLength(8192, 8192), Files.size(created.path()));
            created.ring().buffer().putLong(created.ring().trailerOffset() + 8184, 42L);
            try (RingFile opened = RingFile.open(created.path())) {
                assertEquals(8192, opened.ring().trailerLength());
                assertEquals(4096 + 8192, opened.ring().trailerOffset());
                assertEquals(42L, opened.ring().buffer().getLong(opened.ring().trailerOffset() + 8184), "one file, shared");
                assertEquals(0L, opened.ring().buffer().getLong(opened.ring().trailerOffset()), "zeroed at creation");
            }
            created.ring().buffer().putInt(RingDescriptor.TRAILER_LENGTH_OFFSET, 100);
            RingFormatException e = assertThrows(RingFormatException.class, () -> RingFile.open(created.path()));
            assertTrue(e.getMessage().contains("trailer_length 100 is not a multiple of 4096"), e.getMessage());
            created.ring().buffer().putInt(RingDescriptor.TRAILER_LENGTH_OFFSET, 8192);
            try (FileChannel channel = FileChannel.open(created.path(), StandardOpenOption.WRITE)) {
                channel.truncate(RingDescriptor.totalLength(8192) + 4096);
            }
            e = assertThrows(RingFormatException.class, () -> RingFile.open(created.path()));
            assertTrue(e.getMessage().contains("ring is truncated") && e.getMessage().contains("trailer 8192"), e.getMessage());
            assertTrue(created.isTruncated(), "the producer sees its trailer cut too");
        } finally {
            created.delete();
        }
        assertThrows(IllegalArgumentException.class, () -> RingSpec.of(8192).withTrailer(RingDescriptor.MAX_TRAILER_LENGTH + 4096));
    }

    /** Whether a path still names the file held open: removed or replaced, it does not (a re-attach checks this). */
    @Test
    void aRemovedOrReplacedPathNoLongerNamesTheOpenFile() throws Exception {
        final Path path = dir.resolve("named.ring");
        try (RingFile created = RingFile.create(path, RingSpec.of(1024))) {
            assertTrue(created.pathNamesThisFile());
            Files.move(path, dir.resolve("moved.ring"));
            assertFalse(created.pathNamesThisFile(), "removed from its path");
            Files.write(path, new byte[4096]);
            assertFalse(created.pathNamesThisFile(), "another file at its path");
            Files.delete(path);
            Files.move(dir.resolve("moved.ring"), path);
            assertTrue(created.pathNamesThisFile(), "back where it was");
        }
    }

    /** A ring whose owner has not finished its setup has magic 0: readers refuse it, saying so, until it is published. */
    @Test
    void anUnpublishedRingIsRefusedUntilItsOwnerPublishesIt() {
        final RingFile created = RingFile.createUnpublished(dir.resolve("setup.ring"), RingSpec.of(1024));
        try {
            final RingFormatException e = assertThrows(RingFormatException.class, () -> RingFile.open(created.path()));
            assertTrue(e.getMessage().contains("not an aioring ring (yet): its magic is 0"), e.getMessage());
            created.ring().publishHeader();
            try (RingFile opened = RingFile.open(created.path())) {
                assertEquals(1024, opened.ring().dataLength());
            }
        } finally {
            created.delete();
        }
    }

    @Test
    void createRefusesAnExistingFile() throws Exception {
        final Path path = Files.createFile(dir.resolve("taken.ring"));
        final UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> RingFile.create(path, RingSpec.of(1024)));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void specRefusesBadSizesAndPositions() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RingSpec.of(3000)).getMessage().contains("power of two"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RingSpec.of(512)).getMessage().contains("outside"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RingSpec.of(1 << 31)).getMessage().contains("outside"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RingSpec.of(4096).withInitialPosition(12))
            .getMessage().contains("multiple of 8"));
    }

    @Test
    void openAMissingFile() {
        final UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> RingFile.open(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void openAnEmptyFile() throws Exception {
        final Path path = Files.createFile(dir.resolve("empty"));
        final RingFormatException e = assertThrows(RingFormatException.class, () -> RingFile.open(path));
        assertTrue(e.getMessage().contains("0 bytes"), e.getMessage());
    }

    @Test
    void openRandomBytes() throws Exception {
        final byte[] noise = new byte[64 * 1024];
        new SplittableRandom(1).nextBytes(noise);
        final Path path = Files.write(dir.resolve("noise"), noise);
        final RingFormatException e = assertThrows(RingFormatException.class, () -> RingFile.open(path));
        assertTrue(e.getMessage().startsWith("not an aioring ring: magic is 0x"), e.getMessage());
    }

    @Test
    void openAVersionFromTheFuture() throws Exception {
        final Path path = ringWith(RingDescriptor.ABI_VERSION_OFFSET, 2);
        final RingFormatException e = assertThrows(RingFormatException.class, () -> RingFile.open(path));
        assertEquals("ring ABI version 2 is newer than this build, which supports version 1", e.getMessage());
    }

    @Test
    void openUnknownIncompatFeatures() throws Exception {
        final Path path = ringWith(RingDescriptor.INCOMPAT_FEATURES_OFFSET, 0x100);
        final RingFormatException e = assertThrows(RingFormatException.class, () -> RingFile.open(path));
        assertEquals("ring uses incompat features 0x100 that this build does not know (known: 0x0)", e.getMessage());
        try (RingFile opened = RingFile.open(path, 0x100)) {
            assertEquals(0x100, opened.ring().incompatFeatures());
        }
    }

    @Test
    void openUnknownCompatFeaturesIsFine() throws Exception {
        try (RingFile opened = RingFile.open(ringWith(RingDescriptor.COMPAT_FEATURES_OFFSET, 0x40))) {
            assertEquals(0x40, opened.ring().compatFeatures());
        }
    }

    @Test
    void openImpossibleSizes() throws Exception {
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.DATA_LENGTH_OFFSET, 3000))).getMessage().contains("power of two"));
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.DATA_LENGTH_OFFSET, 1 << 20))).getMessage().contains("truncated"));
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.MAX_PAYLOAD_LENGTH_OFFSET, 4096))).getMessage().contains("max_payload_length"));
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.HEADER_LENGTH_OFFSET, 8192))).getMessage().contains("header_length"));
        // A ring that could carry no record (max_payload_length 0) is refused like one that claims too much.
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.MAX_PAYLOAD_LENGTH_OFFSET, 0))).getMessage()
            .contains("max_payload_length 0 is not data_length / 8 = 512"));
    }

    /** head and tail are checked at open too, not only by the first reap. */
    @Test
    void openImpossibleCounters() throws Exception {
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.HEAD_OFFSET, 4))).getMessage().contains("not both multiples of 8"));
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.HEAD_OFFSET, 64))).getMessage().contains("head is beyond tail"));
        assertTrue(assertThrows(RingFormatException.class,
            () -> RingFile.open(ringWith(RingDescriptor.TAIL_OFFSET, 8192))).getMessage().contains("more than data_length"));
    }

    @Test
    void openATruncatedRing() throws Exception {
        final Path path = ringWith(RingDescriptor.FLAGS_OFFSET, 0);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.truncate(RingDescriptor.HEADER_LENGTH + 100);
        }
        assertTrue(assertThrows(RingFormatException.class, () -> RingFile.open(path)).getMessage().contains("truncated"));
    }

    /** @return a fresh 4 KiB ring file with the u32 at {@code offset} replaced by {@code value} */
    private Path ringWith(final int offset, final int value) throws Exception {
        return ScribbledRings.withWord(dir, 4096, offset, value);
    }

    /**
     * On a file system without room for the ring, create fails at once naming ENOSPC and leaves no file (it used
     * to create a sparse file that raised SIGBUS when the ring first filled). Needs a tmpfs of 64 KiB: mounted
     * here when the test runs as root with the right to mount, else skipped, saying why.
     */
    @Test
    void aFileSystemWithoutRoomRefusesTheRingAtCreate() throws Exception {
        try (SmallTmpfs tmpfs = SmallTmpfs.mount(dir, "small")) {
            final Path small = tmpfs.dir();
            final Path ring = small.resolve("big.ring");
            final UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> RingFile.create(ring, new RingSpec(1 << 20, 0, 0, 0)));
            assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
            assertFalse(Files.exists(ring), "no file left behind");
            // One that fits is made, and all of it is allocated.
            final RingFile fits = RingFile.create(small.resolve("fits.ring"), new RingSpec(16 << 10, 0, 0, 0));
            assertTrue(Files.size(fits.path()) > 16 << 10);
            fits.delete();
            // Allocated as written (an overflow file): refused all the same where the room is not there now...
            final UncheckedIOException sparse = assertThrows(UncheckedIOException.class, () -> RingFile.createUnpublished(
                small.resolve("big.overflow"), new RingSpec(1 << 20, 0, 0, 0), RingFile.Allocation.AS_WRITTEN));
            assertTrue(sparse.getMessage().contains("ENOSPC"), sparse.getMessage());
            assertFalse(Files.exists(small.resolve("big.overflow")));
            // ...and made without taking it where it is: its header's page, not its 32 KiB of data.
            final long before = Files.getFileStore(small).getUnallocatedSpace();
            final RingFile written = RingFile.createUnpublished(small.resolve("fits.overflow"),
                new RingSpec(32 << 10, 0, 0, 0), RingFile.Allocation.AS_WRITTEN);
            assertEquals((32 << 10) + 4096, Files.size(written.path()));
            assertTrue(before - Files.getFileStore(small).getUnallocatedSpace() <= 4096,
                "allocated: " + (before - Files.getFileStore(small).getUnallocatedSpace()));
            written.delete();
        }
    }
}
