package io.aioring.attributes;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.TestBackend;
import io.aioring.abi.AioContext;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;

/** A context with the built-in attributes (found by ServiceLoader), registered memory, and event capture. */
final class AttributeFixture implements AutoCloseable {
    final Arena arena = Arena.ofShared();
    final AioContext context = AioContext.setup(TestBackend.params().ringDataBytes(1 << 16).workers(2));
    final MemorySegment memory = arena.allocate(16 << 20, 4096);
    final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[8192]));
    final Errno errno = new Errno(arena);

    /** An event with its attribute records, copied out. */
    record Event(long userData, long result, List<Attribute> attributes) {
        Attribute attribute(final int id) {
            return attributes.stream().filter(a -> a.id() == id).findFirst().orElseThrow();
        }
    }

    record Attribute(int id, int status, int version, UnsafeBuffer payload) {
    }

    AttributeFixture() {
        context.registerMemory(memory);
    }

    static AttributeRegistry registry() {
        return AttributeRegistry.discover();
    }

    int open(final Path path, final int flags) {
        final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, path.toString()).address(),
            flags | Linux.O_CLOEXEC, 0644);
        assertTrue(fd >= 0, "open " + path + ": " + Errno.describeResult(fd));
        return fd;
    }

    /** Submits what the writer holds, and returns its events. */
    List<Event> run() {
        final int count = writer.count();
        assertEquals(count, context.submit(writer));
        writer.reset();
        final List<Event> events = new ArrayList<>();
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (events.size() < count && System.nanoTime() < deadline) {
            context.getevents(count - events.size(), Integer.MAX_VALUE, 100_000_000L, e -> events.add(copy(e)));
        }
        assertEquals(count, events.size());
        return events;
    }

    Event one() {
        return run().get(0);
    }

    static Event copy(final EventView e) {
        final List<Attribute> attributes = new ArrayList<>();
        int offset = e.firstAttribute();
        for (int i = 0; i < e.attributeCount(); i++) {
            final byte[] payload = new byte[e.attributePayloadLength(offset)];
            e.buffer().getBytes(e.attributePayloadIndex(offset), payload);
            attributes.add(new Attribute(e.attributeId(offset), e.attributeStatus(offset), e.attributeVersion(offset),
                new UnsafeBuffer(payload)));
            offset = e.nextAttribute(offset);
        }
        return new Event(e.userData(), e.result(), attributes);
    }

    long address(final long offset) {
        return memory.address() + offset;
    }

    @Override
    public void close() {
        context.destroy();
        arena.close();
    }
}
