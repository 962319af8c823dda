package io.aioring.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.TestBackend;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.ChildJvm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AioFileChannel against AsynchronousFileChannel's javadoc, on real files, on this run's backend. */
class AioFileChannelTest {
    private static ChannelEngine engine;

    @BeforeAll
    static void setUp() {
        engine = new ChannelEngine(TestBackend.params(), new AttributeRegistry(List.of()), new String[0]);
    }

    @AfterAll
    static void tearDown() {
        engine.context().destroy();
    }

    private static AioFileChannel open(final Path path, final StandardOpenOption... options) throws IOException {
        return AioFileChannel.open(engine, path, Set.of(options), null);
    }

    @Test
    void writesAndReadsHeapAndDirectBuffersWithFuturesAndHandlers(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        final byte[] content = new byte[300_000]; // over four slots: a write goes in pieces
        new Random(11).nextBytes(content);
        try (AioFileChannel channel = open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.READ)) {
            final ByteBuffer source = ByteBuffer.wrap(content);
            assertEquals(content.length, channel.write(source, 0).get(10, TimeUnit.SECONDS), "the whole buffer");
            assertEquals(content.length, source.position(), "the buffer's position moved by what was written");
            assertEquals(content.length, channel.size());
            final byte[] back = new byte[content.length];
            final ByteBuffer direct = ByteBuffer.allocateDirect(100_000);
            int at = 0;
            while (at < content.length) {
                direct.clear();
                final CompletableFuture<Integer> done = new CompletableFuture<>();
                channel.read(direct, at, "attachment", new CompletionHandler<Integer, String>() {
                    @Override
                    public void completed(final Integer result, final String attachment) {
                        assertEquals("attachment", attachment);
                        done.complete(result);
                    }

                    @Override
                    public void failed(final Throwable exc, final String attachment) {
                        done.completeExceptionally(exc);
                    }
                });
                final int n = done.get(10, TimeUnit.SECONDS);
                assertEquals(Math.min(direct.capacity(), content.length - at), n, "a direct buffer is read in place, whole");
                assertEquals(n, direct.position());
                direct.flip().get(back, at, n);
                at += n;
            }
            assertArrayEquals(content, back);
            assertEquals(-1, channel.read(ByteBuffer.allocate(10), content.length).get(10, TimeUnit.SECONDS),
                "at the end of the file: -1");
            assertEquals(0, channel.read(ByteBuffer.allocate(0), 0).get(), "no room: 0 at once");
            final ByteBuffer heap = ByteBuffer.allocate(20);
            heap.position(5);
            assertEquals(15, channel.read(heap, 1000).get(10, TimeUnit.SECONDS), "into the buffer's remaining bytes");
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 1000, 1015), java.util.Arrays.copyOfRange(heap.array(), 5, 20));
        }
    }

    @Test
    void directBuffersMoveInPlaceEvenMoreOfThemThanWindows(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        final int buffers = DirectRegistrations.CAPACITY * 2 + 7; // more than windows at once: some go by a slot
        final int each = 8192;
        final byte[] content = new byte[buffers * each];
        new Random(5).nextBytes(content);
        try (AioFileChannel channel = open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.READ)) {
            final ByteBuffer whole = ByteBuffer.allocateDirect(content.length).put(content).flip().asReadOnlyBuffer();
            assertEquals(content.length, channel.write(whole, 0).get(10, TimeUnit.SECONDS),
                "a read-only direct buffer is written in place, in one iocb, however large");
            for (int round = 0; round < 3; round++) { // rounds 2 and 3 meet windows registered by round 1
                final ByteBuffer[] into = new ByteBuffer[buffers];
                final List<Future<Integer>> reads = new ArrayList<>();
                for (int i = 0; i < buffers; i++) {
                    into[i] = round == 1
                        ? ByteBuffer.allocateDirect(each + 100).position(100).slice() // new windows, not at a start
                        : ByteBuffer.allocateDirect(each);
                    reads.add(channel.read(into[i], (long) i * each));
                }
                for (int i = 0; i < buffers; i++) {
                    assertEquals(each, reads.get(i).get(10, TimeUnit.SECONDS));
                    final byte[] got = new byte[each];
                    into[i].flip().get(got);
                    assertArrayEquals(java.util.Arrays.copyOfRange(content, i * each, (i + 1) * each), got, "buffer " + i);
                }
            }
            final ByteBuffer window = ByteBuffer.allocateDirect(1000);
            window.position(300).limit(700);
            assertEquals(400, channel.read(window, 12_345).get(10, TimeUnit.SECONDS), "into position..limit only");
            assertEquals(700, window.position());
            final byte[] got = new byte[400];
            window.get(300, got);
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 12_345, 12_745), got);
        }
    }

    @Test
    void onADirectChannelAlignedBuffersMoveInPlaceAndOthersBySlot(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        final byte[] content = new byte[64 * 1024];
        new Random(8).nextBytes(content);
        Files.write(file, content);
        final AioFileChannel channel;
        try {
            channel = AioFileChannel.open(engine, file, Set.of(StandardOpenOption.READ,
                com.sun.nio.file.ExtendedOpenOption.DIRECT), null);
        } catch (final IOException refused) { // a file system without O_DIRECT (tmpfs) refuses the open
            org.junit.jupiter.api.Assumptions.abort("no O_DIRECT where the temporary directory is: " + refused);
            return;
        }
        try (channel) {
            final ByteBuffer aligned = ByteBuffer.allocateDirect(4 * 4096).alignedSlice(4096).limit(8192);
            final ByteBuffer misaligned = ByteBuffer.allocateDirect(4 * 4096).alignedSlice(4096).position(1).slice()
                .limit(8192);
            final ByteBuffer heap = ByteBuffer.allocate(8192);
            for (final ByteBuffer buffer : new ByteBuffer[] {aligned, misaligned, heap}) {
                assertEquals(8192, channel.read(buffer, 16_384).get(10, TimeUnit.SECONDS));
                final byte[] got = new byte[8192];
                buffer.flip().get(got);
                assertArrayEquals(java.util.Arrays.copyOfRange(content, 16_384, 24_576), got);
            }
            final ExecutionException unaligned = assertThrows(ExecutionException.class,
                () -> channel.read(ByteBuffer.allocateDirect(100), 1).get(10, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, unaligned.getCause(), "a position the device refuses: EINVAL");
        }
    }

    @Test
    void sizeTruncateAndForce(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[10_000]);
        try (AioFileChannel channel = open(file, StandardOpenOption.WRITE)) {
            assertEquals(10_000, channel.size());
            assertTrue(channel.truncate(20_000) == channel, "truncate returns the channel");
            assertEquals(10_000, channel.size(), "a larger size changes nothing");
            channel.truncate(4096);
            assertEquals(4096, channel.size());
            channel.force(true);
            channel.force(false);
            assertThrows(IllegalArgumentException.class, () -> channel.truncate(-1));
        }
        try (AioFileChannel readOnly = open(file, StandardOpenOption.READ)) {
            assertThrows(NonWritableChannelException.class, () -> readOnly.truncate(0));
        }
    }

    @Test
    void badCallsAreRefusedAsTheJavadocSays(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[100]);
        assertThrows(NoSuchFileException.class, () -> open(dir.resolve("absent"), StandardOpenOption.READ));
        assertThrows(FileAlreadyExistsException.class, () -> open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        assertThrows(UnsupportedOperationException.class, () -> open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        final AioFileChannel readOnly = open(file, StandardOpenOption.READ);
        assertThrows(IllegalArgumentException.class, () -> readOnly.read(ByteBuffer.allocate(10), -1));
        assertThrows(IllegalArgumentException.class, () -> readOnly.read(ByteBuffer.allocate(10).asReadOnlyBuffer(), 0));
        assertThrows(NonWritableChannelException.class, () -> readOnly.write(ByteBuffer.allocate(10), 0));
        assertThrows(NullPointerException.class, () -> readOnly.read(ByteBuffer.allocate(10), 0, null, null));
        readOnly.close();
        readOnly.close(); // a second close does nothing
        final ExecutionException closed = assertThrows(ExecutionException.class,
            () -> readOnly.read(ByteBuffer.allocate(10), 0).get(10, TimeUnit.SECONDS));
        assertInstanceOf(ClosedChannelException.class, closed.getCause());
        assertThrows(ClosedChannelException.class, readOnly::size);
        try (AioFileChannel writeOnly = open(file, StandardOpenOption.WRITE)) {
            assertThrows(NonReadableChannelException.class, () -> writeOnly.read(ByteBuffer.allocate(10), 0));
        }
    }

    @Test
    void handlersRunOnTheChannelsExecutor(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[4096]);
        final ExecutorService executor = Executors.newFixedThreadPool(2, task -> new Thread(task, "the-channels-executor"));
        try (AioFileChannel channel = AioFileChannel.open(engine, file, Set.of(StandardOpenOption.READ), executor)) {
            final CompletableFuture<String> thread = new CompletableFuture<>();
            channel.read(ByteBuffer.allocate(100), 0, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(final Integer result, final Void attachment) {
                    thread.complete(Thread.currentThread().getName());
                }

                @Override
                public void failed(final Throwable exc, final Void attachment) {
                    thread.completeExceptionally(exc);
                }
            });
            assertEquals("the-channels-executor", thread.get(10, TimeUnit.SECONDS));
        } finally {
            executor.shutdownNow();
        }
    }

    /** Nothing is lost at close: each operation completes with its bytes or fails AsynchronousCloseException. */
    @Test
    void closeWhileOperationsArePendingEndsEachOfThem(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[1 << 20]);
        for (int round = 0; round < 5; round++) {
            final AioFileChannel channel = open(file, StandardOpenOption.READ);
            final List<Future<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                reads.add(channel.read(ByteBuffer.allocate(4096), (long) (i % 256) * 4096));
            }
            channel.close();
            for (final Future<Integer> read : reads) {
                try {
                    assertEquals(4096, read.get(10, TimeUnit.SECONDS));
                } catch (final ExecutionException e) {
                    assertInstanceOf(AsynchronousCloseException.class, e.getCause());
                }
            }
        }
    }

    @Test
    void locksOverlapInThisJvmAndConflictWithTheJdksInAnother(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[1000]);
        try (AioFileChannel channel = open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             AioFileChannel other = open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final FileLock lock = channel.tryLock(0, 100, false);
            assertNotNull(lock);
            assertTrue(lock.isValid());
            assertThrows(OverlappingFileLockException.class, () -> other.tryLock(50, 100, true));
            assertThrows(OverlappingFileLockException.class, () -> channel.lock(0, 10, false));
            final FileLock beside = other.lock(100, 100, false).get(10, TimeUnit.SECONDS);
            assertTrue(beside.isValid(), "no overlap, no conflict");
            lock.release();
            assertTrue(!lock.isValid());
            beside.release();
            try (ChildJvm child = jdkLockHolder(file, 0, 500)) {
                assertNull(channel.tryLock(400, 200, false), "the JDK's lock in another process holds the range");
                final FileLock free = channel.tryLock(500, 100, false);
                assertNotNull(free, "beyond its range the file is free");
                free.release();
                final Future<FileLock> waiting = channel.lock(0, 10, true);
                child.kill();
                assertTrue(waiting.get(30, TimeUnit.SECONDS).isValid(), "a blocking lock is granted once the other goes");
            }
        }
    }

    /** @return another JVM holding the JDK's own FileChannel lock on the range, once it holds it */
    static ChildJvm jdkLockHolder(final Path file, final long position, final long size) throws Exception {
        final ChildJvm child = ChildJvm.start(JdkLockHolderMain.class, file.toString(), Long.toString(position),
            Long.toString(size));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!child.log().contains("locked") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(child.log().contains("locked true"), child.log());
        return child;
    }

    /** Size 0 locks from the position to the end of the file, however it grows, as the JDK's does. */
    @Test
    void aLockOfSizeZeroReachesBeyondTheEndOfTheFile(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[1000]);
        try (AioFileChannel channel = open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final FileLock toTheEnd = channel.lock(300, 0, false).get(10, TimeUnit.SECONDS);
            assertEquals(Long.MAX_VALUE - 300, toTheEnd.size(), "the JDK's size for a lock to the end");
            assertTrue(toTheEnd.overlaps(1L << 40, 1));
            assertThrows(OverlappingFileLockException.class, () -> channel.tryLock(1_000_000, 10, false));
            final FileLock before = channel.tryLock(0, 300, false);
            assertNotNull(before, "what is before the position stays free");
            before.release();
            toTheEnd.release();
            try (ChildJvm child = jdkLockHolder(file, 200, 0)) {
                assertNull(channel.tryLock(1_000_000, 10, false), "the JDK's size-0 lock holds beyond the end");
                final FileLock free = channel.tryLock(0, 200, false);
                assertNotNull(free, "before its position the file is free");
                free.release();
            }
        }
    }

    /** A lock waiting for another process's to go ends when the channel closes: the kernel's wait does not by itself. */
    @Test
    void closingTheChannelEndsALockThatWaitsForAnotherProcess(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[1000]);
        try (ChildJvm child = jdkLockHolder(file, 0, 0)) {
            for (int round = 0; round < 20; round++) {
                final AioFileChannel channel = open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                final Future<FileLock> waiting = channel.lock(0, 10, false);
                final CompletableFuture<Throwable> handled = new CompletableFuture<>();
                channel.lock(100, 10, true, null, new CompletionHandler<FileLock, Void>() {
                    @Override
                    public void completed(final FileLock result, final Void attachment) {
                        handled.complete(null);
                    }

                    @Override
                    public void failed(final Throwable exc, final Void attachment) {
                        handled.complete(exc);
                    }
                });
                Thread.sleep(round % 4 * 5); // sometimes before the wait has begun in the kernel, sometimes in it
                channel.close();
                final ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> waiting.get(10, TimeUnit.SECONDS), "round " + round);
                assertInstanceOf(AsynchronousCloseException.class, failure.getCause());
                assertInstanceOf(AsynchronousCloseException.class, handled.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aCreatedFileTakesThePermissionsAsked(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("made");
        try (AsynchronousFileChannel channel = AioFileChannel.open(engine, file,
            EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), null,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            assertEquals(3, channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0).get(10, TimeUnit.SECONDS));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
    }

    /** readAndReport: the bytes, and what the attributes saw: a hit when cached, a miss once evicted, real times. */
    @Test
    void aReportedReadSaysWhetherThePageCacheHeldItAndHowLongItTook(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("reported");
        final byte[] content = new byte[1 << 20];
        new Random(3).nextBytes(content);
        Files.write(file, content);
        final ChannelEngine measuring = new ChannelEngine(TestBackend.params(), AttributeRegistry.discover(), new String[0]);
        try (AioFileChannel channel = AioFileChannel.open(measuring, file, Set.of(StandardOpenOption.READ,
            StandardOpenOption.WRITE), null)) {
            Files.readAllBytes(file);
            final ByteBuffer buffer = ByteBuffer.allocate(4096);
            final OperationReport hit = channel.readAndReport(buffer, 8192).get(10, TimeUnit.SECONDS);
            assertEquals(4096, hit.bytes());
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 8192, 8192 + 4096), buffer.array());
            assertEquals(OperationReport.PageCache.HIT, hit.pageCache(), hit.toString());
            assertTrue(hit.serviceTime().toNanos() > 0 && !hit.queueTime().isNegative(), hit.toString());
            assertTrue(hit.path() != OperationReport.ExecutionPath.UNKNOWN && hit.cpu() >= 0, hit.toString());

            // Written back, then evicted (clean pages go at once): the same range is a miss.
            channel.force(false);
            io.aioring.linux.Linux.posixFadvise(channel.fd(), 0, content.length, io.aioring.linux.Linux.POSIX_FADV_DONTNEED);
            buffer.clear();
            final OperationReport miss = channel.readAndReport(buffer, 8192).get(10, TimeUnit.SECONDS);
            assertEquals(4096, miss.bytes());
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 8192, 8192 + 4096), buffer.array());
            assertEquals(OperationReport.PageCache.MISS, miss.pageCache(), miss.toString());

            assertEquals(-1, channel.readAndReport(ByteBuffer.allocate(10), content.length).get(10, TimeUnit.SECONDS).bytes(),
                "the end of the file: -1, as read says");
            final OperationReport wrote = channel.writeAndReport(ByteBuffer.wrap(new byte[100_000]), 0).get(10, TimeUnit.SECONDS);
            assertEquals(100_000, wrote.bytes(), "a write over two slots reports its whole length");
            assertTrue(wrote.serviceTime().toNanos() > 0, wrote.toString());
        } finally {
            measuring.context().destroy();
        }
        try (AioFileChannel plain = open(file, StandardOpenOption.READ)) {
            assertThrows(UnsupportedOperationException.class, () -> plain.readAndReport(ByteBuffer.allocate(1), 0),
                "a context without the attributes cannot report");
        }
    }
}
