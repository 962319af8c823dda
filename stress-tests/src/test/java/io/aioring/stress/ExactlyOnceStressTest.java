package io.aioring.stress;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.TestBackend;
import io.aioring.abi.AioContext;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.linux.ChildJvm;
import io.aioring.ring.RecordDescriptor;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine (this JVM) doing real preads with attributes of random sizes into a ring small enough to overflow
 * constantly; three reaper JVMs, SIGKILLed and restarted all along, and a C reaper. Every iocb carries its number
 * in its user data. Afterwards: no event logged twice; every event logged by some reaper, or found in the batch
 * buffer of a reaper killed while holding it; attribute records intact (the reapers check them); and the ring's
 * counters wrapped past 2^32 at least four times.
 *
 * <p>Runs until four wraps (about a minute here). {@code ./build -Psoak -Daioring.soak.seconds=N} runs N seconds.
 */
class ExactlyOnceStressTest {
    private static final int JAVA_REAPERS = 3;
    private static final int DEPTH = 256;
    private static final long KILL_EVERY_NANOS = 1_500_000_000L;

    @TempDir
    Path dir;

    private final List<ChildJvm> reapers = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final List<Path> killedLogs = new ArrayList<>();
    /** The log of the reaper now in each slot. */
    private final List<Path> slotLogs = new ArrayList<>();
    private int incarnations;

    private void startReaper(final Path ring, final int slot) throws IOException {
        final Path log = dir.resolve("reaper-" + incarnations++ + ".log");
        logs.add(log);
        final ChildJvm child = ChildJvm.start(StressReaperMain.class, ring.toString(), log.toString());
        if (slot == reapers.size()) {
            reapers.add(child);
            slotLogs.add(log);
        } else {
            reapers.set(slot, child);
            slotLogs.set(slot, log);
        }
    }

    @Test
    void everyEventReapedExactlyOnceThroughKillsOverflowAndWraps() throws Exception {
        final long soakSeconds = Long.getLong("aioring.soak.seconds", 0L);
        // A guard against a hang only: the run ends on counts (wraps, kills, an overflow), never on throughput.
        final long limitNanos = (soakSeconds > 0 ? soakSeconds + 300 : 400) * 1_000_000_000L;
        // The default run starts the ring's counters just below 2^32 (ring_initial_position), so the one wrap it
        // needs costs a few MiB of traffic, not 4 GiB; the soak starts at 0 and makes 4 wraps by volume.
        final int wrapsWanted = soakSeconds > 0 ? 4 : 1;
        final int initialPosition = soakSeconds > 0 ? 0 : -(4 << 20);
        final Path data = dir.resolve("data.bin");
        final byte[] content = new byte[1 << 20];
        new SplittableRandom(9).nextBytes(content);
        Files.write(data, content);
        final Path cReaper = CReaper.compile(dir);
        try (Arena arena = Arena.ofShared();
             AioContext context = AioContext.setup(TestBackend.params().ringDataBytes(1 << 20).workers(2)
                 .maxInFlight(DEPTH * 2).overflowBound(4096).ringInitialPosition(initialPosition))) {
            final Errno errno = new Errno(arena);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, data.toString()).address(), Linux.O_RDONLY, 0);
            assertTrue(fd >= 0);
            final MemorySegment buffers = arena.allocate(4096L * DEPTH, 4096);
            context.registerMemory(buffers);
            for (int i = 0; i < JAVA_REAPERS; i++) {
                startReaper(context.ringPath(), i);
            }
            final Path cOut = dir.resolve("c-reaper.bin");
            final Process c = cReaper == null ? null : new ProcessBuilder(cReaper.toString(), context.ringPath().toString(),
                cOut.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("c.log").toFile()).start();

            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[DEPTH * 1024]));
            final SplittableRandom random = new SplittableRandom(1);
            final UnsafeBuffer seed = new UnsafeBuffer(new byte[8]);
            long submitted = 0;
            long wraps = 0;
            int lastTail = context.ring().tail();
            final long start = System.nanoTime();
            long nextKill = start + KILL_EVERY_NANOS;
            int kills = 0;
            // The reapers are stopped (SIGSTOP) once, until events wait on the overflow list: the list is used
            // whatever the machine's speed.
            boolean reapersStopped = false;
            boolean overflowSeen = false;
            while (soakSeconds > 0 && System.nanoTime() - start < soakSeconds * 1_000_000_000L
                || wraps < wrapsWanted || kills < 2 || !overflowSeen) {
                assertTrue(System.nanoTime() - start < limitNanos, "a hang: " + wraps + " wraps, " + kills
                    + " reapers killed, overflow seen " + overflowSeen + ", " + submitted + " iocbs, "
                    + context.completed() + " completed");
                if (!overflowSeen && !reapersStopped && kills >= 1) {
                    signalReapers(c, "STOP");
                    reapersStopped = true;
                }
                if (reapersStopped && context.overflowLength() > 0) {
                    overflowSeen = true;
                    signalReapers(c, "CONT");
                    reapersStopped = false;
                }
                final long room = Math.min(DEPTH - (submitted - context.completed()), 64);
                if (room > 0) {
                    writer.reset();
                    for (int i = 0; i < room; i++) {
                        final int length = 512 + random.nextInt(3585);
                        writer.pread(fd, buffers.address() + 4096L * ((submitted + i) % DEPTH), length,
                            random.nextInt(content.length - length), submitted + i);
                        final int paddings = random.nextInt(64); // a random subset: each attribute once per iocb
                        for (int p = 0; p < 6; p++) {
                            if ((paddings & (1 << p)) != 0) {
                                writer.attribute(PaddingAttribute.Small.ID + p, 0);
                            }
                        }
                        if (random.nextBoolean()) {
                            writer.attribute(TimingAttribute.ID, 0).attribute(PageCacheAttribute.ID, 0);
                        }
                        if (random.nextBoolean()) {
                            seed.putLong(0, random.nextLong());
                            writer.attribute(Fnv1aAttribute.ID, 0, seed, 0, random.nextBoolean() ? 8 : 0);
                        }
                    }
                    final int accepted = context.submit(writer);
                    if (accepted > 0) {
                        // docs/abi.md 2.5: a batch may be accepted in part (the overflow list reached its bound);
                        // the rest are written again, with the same user data, in the next batch.
                        assertTrue(accepted <= room, accepted + " of " + room);
                        submitted += accepted;
                    } else {
                        Thread.yield();
                    }
                } else {
                    Thread.yield();
                }
                final int tail = context.ring().tail();
                if (Integer.compareUnsigned(tail, lastTail) < 0) {
                    wraps++;
                }
                lastTail = tail;
                // A victim that has begun to reap (its JVM may still be starting on a loaded machine: killing it
                // then tests nothing and leaves no log).
                if (System.nanoTime() - nextKill >= 0 && !reapersStopped
                    && reapers.get(kills % JAVA_REAPERS).log().contains("reaping")) {
                    final int victim = kills % JAVA_REAPERS;
                    final ChildJvm dead = reapers.get(victim);
                    dead.kill();
                    dead.close(); // waits for it and removes its output log (its event log stays for the count)
                    killedLogs.add(slotLogs.get(victim));
                    startReaper(context.ringPath(), victim);
                    kills++;
                    nextKill += KILL_EVERY_NANOS;
                }
            }
            final long deadline = System.nanoTime() + 120_000_000_000L;
            while (context.completed() < submitted || context.overflowLength() > 0) {
                assertTrue(System.nanoTime() < deadline, "completions or overflowed events never drained");
                Thread.sleep(5);
            }
            // A reaper restarted late must have mapped the ring before destroy removes its file.
            for (final ChildJvm reaper : reapers) {
                while (!reaper.log().contains("reaping")) {
                    assertTrue(reaper.process().isAlive(), reaper.log());
                    assertTrue(System.nanoTime() < deadline, "a reaper never started");
                    Thread.sleep(5);
                }
            }
            final long overflowed = context.ring().buffer().getLong(ContextDescriptor.EVENTS_OVERFLOWED_OFFSET);
            assertEquals(0, context.destroy(), "nothing discarded at destroy");
            for (final ChildJvm reaper : reapers) {
                assertEquals(0, reaper.waitFor(120), reaper.log());
            }
            if (c != null) {
                assertTrue(c.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, c.exitValue(), Files.readString(dir.resolve("c.log")));
            }
            Linux.close(errno, fd);
            check(submitted, cOut, c != null);
            System.out.printf("stress: %,d iocbs, %d wraps past 2^32, %,d overflowed, %d reapers killed, %.1f s%n",
                submitted, wraps, overflowed, kills, (System.nanoTime() - start) / 1e9);
            assertTrue(kills > 0, "reapers were killed mid-run");
            assertTrue(overflowed > 0, "the overflow list was used");
            assertEquals(0, new io.aioring.abi.layout.ContextArea(context.ring().buffer()).overflowVolatile(),
                "durable overflow: every event that waited on the list was in the overflow file too");
        } finally {
            for (final ChildJvm reaper : reapers) {
                reaper.close();
            }
        }
    }

    /** kill -STOP or -CONT to every reaper process, Java and C. */
    private void signalReapers(final Process c, final String signal) throws Exception {
        final List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        for (final ChildJvm reaper : reapers) {
            command.add(Long.toString(reaper.process().pid()));
        }
        if (c != null) {
            command.add(Long.toString(c.pid()));
        }
        assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor(), "kill -" + signal);
    }

    private void check(final long submitted, final Path cOut, final boolean withC) throws IOException {
        final BitSet logged = new BitSet();
        long duplicates = 0;
        long total = 0;
        final List<Path> sources = new ArrayList<>(logs);
        if (withC) {
            sources.add(cOut);
        }
        for (final Path source : sources) {
            final ByteBuffer ids = source.equals(cOut) ? ByteBuffer.wrap(Files.readAllBytes(cOut)) : loggedIds(source);
            ids.order(ByteOrder.LITTLE_ENDIAN);
            while (ids.hasRemaining()) {
                final long id = ids.getLong();
                assertTrue(id >= 0 && id < submitted, "an event with user data " + id + " was never submitted");
                if (logged.get((int) id)) {
                    duplicates++;
                }
                logged.set((int) id);
                total++;
            }
        }
        assertEquals(0, duplicates, "events reaped twice");
        final BitSet missing = new BitSet();
        missing.set(0, (int) submitted);
        missing.andNot(logged);
        final BitSet heldByKilled = new BitSet();
        for (final Path log : killedLogs) {
            heldByKilled.or(eventsInBatch(Path.of(log + ".batch")));
        }
        final BitSet lost = (BitSet) missing.clone();
        lost.andNot(heldByKilled);
        assertEquals(0, lost.cardinality(), "events lost: taken by no reaper, e.g. " + lost.nextSetBit(0));
        System.out.printf("stress: %,d logged by reapers, %,d held by reapers when they were killed, 0 lost, 0 twice%n",
            total, missing.cardinality());
    }

    /** @return the ids a reaper logged: the u64 count at 0, then that many u64s (read without the sparse rest) */
    private static ByteBuffer loggedIds(final Path log) throws IOException {
        if (!Files.exists(log)) {
            return ByteBuffer.allocate(0); // killed before it logged anything
        }
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
            final ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(count, 0);
            final ByteBuffer ids = ByteBuffer.allocate((int) (8 * count.getLong(0)));
            while (ids.hasRemaining() && channel.read(ids, 8 + ids.position()) > 0) {
                // read the logged ids
            }
            return ids.flip();
        }
    }

    /** @return the user data of the events in a dead reaper's batch buffer (its last copy, maybe taken, maybe not) */
    private static BitSet eventsInBatch(final Path batch) throws IOException {
        final BitSet ids = new BitSet();
        if (!Files.exists(batch)) {
            return ids;
        }
        try (FileChannel channel = FileChannel.open(batch, StandardOpenOption.READ)) {
            final ByteBuffer b = ByteBuffer.allocate((int) channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(b, 0);
            int offset = 0;
            while (offset + 16 <= b.capacity()) {
                final int length = b.getInt(offset);
                final int type = b.getInt(offset + 4);
                if (type != 1 || length < 8 + 32 || offset + length > b.capacity()) {
                    break;
                }
                ids.set((int) b.getLong(offset + 8));
                offset += RecordDescriptor.align(length);
            }
        }
        return ids;
    }
}
