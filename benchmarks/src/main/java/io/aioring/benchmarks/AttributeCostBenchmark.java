package io.aioring.benchmarks;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.aioring.linux.JvmFlags;
import io.aioring.abi.AioContext;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.abi.EventHandler;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

/**
 * What attributes cost: 4 KiB random reads of a cached file at queue depth 32 (a batch of 32 submitted, their 32
 * events reaped), with no attribute, timing, page-cache, and both, in one run.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar AttributeCostBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.ADD_EXPORTS, JvmFlags.UNSAFE_EXPORT, JvmFlags.NATIVE_ACCESS,
    "--sun-misc-unsafe-memory-access=allow"})
public class AttributeCostBenchmark {
    static final int BLOCK = 4096;
    static final int DEPTH = 32;
    static final int OFFSETS = 1 << 16;

    @Param({"none", "timing", "page-cache", "timing+page-cache"})
    String attributes;

    @Param({"1g"})
    String fileSize;

    /** The context's backend: io_uring, or worker threads. */
    @Param({"io_uring", "threads"})
    String backend;

    Arena arena;
    AioContext context;
    int fd;
    MemorySegment buffers;
    IocbWriter writer;
    long[] offsets;
    int next;
    int[] ids;
    long sum;
    final EventHandler handler = this::onEvent;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        final Path file = CachedFile.prepare(fileSize);
        offsets = CachedFile.randomOffsets(Files.size(file), BLOCK, OFFSETS);
        final AttributeRegistry registry = AttributeRegistry.discover();
        ids = switch (attributes) {
            case "none" -> new int[0];
            case "timing+page-cache" -> new int[] {registry.byName("timing").id(), registry.byName("page-cache").id()};
            default -> new int[] {registry.byName(attributes).id()};
        };
        arena = Arena.ofShared();
        context = AioContext.setup(new SetupParams().ringDataBytes(1 << 20).workers(2).maxInFlight(256)
            .backend(backend.equals("threads") ? SetupDescriptor.BACKEND_THREADS : SetupDescriptor.BACKEND_IO_URING), registry);
        buffers = arena.allocate((long) BLOCK * DEPTH, 4096);
        context.registerMemory(buffers);
        fd = Linux.openat(new Errno(), Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
            Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        writer = new IocbWriter(new UnsafeBuffer(new byte[128 * DEPTH]));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        context.destroy();
        Linux.close(new Errno(), fd);
        arena.close();
    }

    private void onEvent(final EventView event) {
        sum += event.result() + event.attributeCount();
    }

    @Benchmark
    @OperationsPerInvocation(DEPTH)
    public long reads() {
        writer.reset();
        for (int i = 0; i < DEPTH; i++) {
            writer.pread(fd, buffers.address() + (long) i * BLOCK, BLOCK, offsets[next++ & (OFFSETS - 1)], i);
            for (final int id : ids) {
                writer.attribute(id, 0);
            }
        }
        context.submit(writer);
        int reaped = 0;
        while (reaped < DEPTH) {
            reaped += context.getevents(DEPTH - reaped, Integer.MAX_VALUE, 10_000_000_000L, handler);
        }
        return sum;
    }
}
