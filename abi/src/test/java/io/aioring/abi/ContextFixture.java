package io.aioring.abi;

import io.aioring.abi.spi.AttributeRegistry;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A context with registered native memory, an iocb writer, and helpers to submit and collect events, for tests.
 */
public final class ContextFixture implements AutoCloseable {
    final Arena arena = Arena.ofShared();
    public final AioContext context;
    final MemorySegment memory;
    final UnsafeBuffer batch = new UnsafeBuffer(new byte[64 * 1024]);
    final IocbWriter writer = new IocbWriter(batch);
    final Errno errno = new Errno(arena);

    /** A batch buffer and its writer, for tests that make their own context. */
    static final class Batch {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final IocbWriter writer = new IocbWriter(buffer);
    }

    /** One decoded event, copied out of the ring. */
    public record Event(long userData, long result, int flags, int opcode, long sequence, byte[] bytes) {
    }

    public ContextFixture(final SetupParams params) {
        this(params, new AttributeRegistry(List.of()));
    }

    ContextFixture(final SetupParams params, final AttributeRegistry registry) {
        this.context = AioContext.setup(params, registry);
        this.memory = arena.allocate(4 << 20, 4096);
        context.registerMemory(memory);
    }

    /** Submits what the writer holds and resets it; asserts every iocb was accepted. */
    int submitAll() {
        final int count = writer.count();
        final int accepted = context.submit(writer);
        assertEquals(count, accepted, "accepted");
        writer.reset();
        return accepted;
    }

    /** Reaps exactly {@code n} events (waiting up to 20 s). */
    public List<Event> reap(final int n) {
        final List<Event> events = new ArrayList<>();
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (events.size() < n && System.nanoTime() < deadline) {
            context.getevents(n - events.size(), Integer.MAX_VALUE, 100_000_000L, e -> events.add(copy(e)));
        }
        assertEquals(n, events.size(), "events reaped: " + events);
        return events;
    }

    static Event copy(final EventView e) {
        final byte[] bytes = new byte[e.length()];
        e.buffer().getBytes(e.index(), bytes);
        return new Event(e.userData(), e.result(), e.flags(), e.opcode(), e.sequence(), bytes);
    }

    /** Submits one iocb (already written) and returns its event. */
    Event one() {
        submitAll();
        return reap(1).get(0);
    }

    long address(final long offset) {
        return memory.address() + offset;
    }

    /** @return a fresh pipe's {read, write} descriptors */
    int[] pipe() {
        final MemorySegment fds = arena.allocate(8, 4);
        assertEquals(0, LinuxTestCalls.pipe2(errno, fds.address(), Linux.O_CLOEXEC));
        return new int[] {fds.get(java.lang.foreign.ValueLayout.JAVA_INT, 0), fds.get(java.lang.foreign.ValueLayout.JAVA_INT, 4)};
    }

    @Override
    public void close() {
        context.destroy();
        arena.close();
    }
}
