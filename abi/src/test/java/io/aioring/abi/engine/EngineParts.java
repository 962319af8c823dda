package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.IocbWriter;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingReaper;
import io.aioring.ring.RingSpec;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A few of the engine's parts without the rest, over real files in a temporary directory: the ring and its overflow
 * file, the slots, the poster and the decoder; events are read back from the ring as a reaper reads them. For
 * testing one part (the scheduler, readiness) by itself.
 */
final class EngineParts implements AutoCloseable {
    /** One event read back from the ring. */
    record Event(long userData, long result) {
    }

    final Arena arena = Arena.ofShared();
    final RingFile ringFile;
    final RingFile overflowFile;
    final Submissions slots = new Submissions(64, 64);
    final CompletionPoster poster;
    final MemoryRegistry memory = new MemoryRegistry();
    final OwnDescriptors own = new OwnDescriptors();
    private final IocbDecoder decoder = new IocbDecoder(new AttributeRegistry(List.of()), 1024);
    private final RingReaper reaper;

    EngineParts(final Path dir) {
        ringFile = RingFile.createUnpublished(dir.resolve("ring"), new RingSpec(64 * 1024, 0,
            ContextDescriptor.COMPAT_ALWAYS, ContextDescriptor.INCOMPAT_EVENTS_V1));
        overflowFile = RingFile.createUnpublished(dir.resolve("ring.overflow"), new RingSpec(64 * 1024, 0, 0L,
            ContextDescriptor.INCOMPAT_EVENTS_V1));
        overflowFile.ring().publishHeader();
        ringFile.ring().publishHeader();
        poster = new CompletionPoster(ringFile.ring(), overflowFile, new ContextArea(ringFile.ring().buffer()), slots, -1,
            arena, "test");
        poster.completionWork(op -> null, next -> { });
        reaper = new RingReaper(ringFile.ring(), RingReaper.Mode.SHARED);
    }

    /** @return a slot holding the one iocb {@code write} writes, decoded and queued as submit leaves it */
    InFlight iocb(final java.util.function.Consumer<IocbWriter> write) {
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[1024]);
        final IocbWriter writer = new IocbWriter(batch);
        write.accept(writer);
        final InFlight op = slots.acquire();
        assertEquals(writer.length(), decoder.decode(batch, 0, writer.length(), 0, 0, op));
        op.queue(System.nanoTime());
        return op;
    }

    /** @return a thread's calls, as a backend's thread has */
    SyncCalls calls() {
        return new SyncCalls(memory, own, arena);
    }

    /** @return the next {@code count} events, in ring order, waiting up to 10 s */
    List<Event> reap(final int count) {
        final List<Event> events = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.size() < count && System.nanoTime() < deadline) {
            poster.flush();
            reaper.poll((type, buffer, index, length) -> events.add(new Event(
                buffer.getLong(index + EventDescriptor.USER_DATA_OFFSET), buffer.getLong(index + EventDescriptor.RESULT_OFFSET))));
            Thread.onSpinWait();
        }
        assertTrue(events.size() >= count, "events: " + events);
        return events;
    }

    @Override
    public void close() {
        poster.close();
        ringFile.close();
        overflowFile.close();
        arena.close();
    }
}
