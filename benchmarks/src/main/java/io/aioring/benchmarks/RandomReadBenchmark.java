package io.aioring.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
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
 * 4 KiB random reads of a cached file: aioring at queue depth 1 (submit, then reap its event) and 32 (a batch of
 * 32 submitted, then their 32 events reaped), beside FileChannel.read(buffer, position) on one thread and
 * AsynchronousFileChannel with 32 reads in flight, on the same file in the same run.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RandomReadBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar RandomReadBenchmark -p fileSize=1g
 * </pre>
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.ADD_EXPORTS, JvmFlags.UNSAFE_EXPORT, JvmFlags.NATIVE_ACCESS,
    "--sun-misc-unsafe-memory-access=allow"})
public class RandomReadBenchmark {
    static final int BLOCK = 4096;
    static final int DEPTH = 32;
    static final int OFFSETS = 1 << 16;

    /** File size: 1g as the issue asks; smaller for a quick look. */
    @Param({"1g"})
    String fileSize;

    @Param({"2"})
    int workers;

    /** The context's backend: io_uring, or worker threads. */
    @Param({"io_uring", "threads"})
    String backend;

    Path file;
    long[] offsets;
    int next;

    Arena arena;
    AioContext context;
    int fd;
    MemorySegment buffers;
    UnsafeBuffer batch;
    IocbWriter writer;
    long reapedBytes;
    final EventHandler countBytes = this::onEvent;

    FileChannel channel;
    AsynchronousFileChannel asyncChannel;
    ByteBuffer[] heapBuffers;
    @SuppressWarnings("unchecked")
    final Future<Integer>[] futures = new Future[DEPTH];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = CachedFile.prepare(fileSize);
        offsets = CachedFile.randomOffsets(Files.size(file), BLOCK, OFFSETS);
        arena = Arena.ofShared();
        context = AioContext.setup(new SetupParams().ringDataBytes(1 << 20).workers(workers).maxInFlight(256)
                .backend(backend.equals("threads") ? SetupDescriptor.BACKEND_THREADS : SetupDescriptor.BACKEND_IO_URING),
            new AttributeRegistry(List.of()));
        buffers = arena.allocate((long) BLOCK * DEPTH, 4096);
        context.registerMemory(buffers);
        fd = Linux.openat(new Errno(), Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
            Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        batch = new UnsafeBuffer(new byte[64 * DEPTH]);
        writer = new IocbWriter(batch);
        channel = FileChannel.open(file, StandardOpenOption.READ);
        asyncChannel = AsynchronousFileChannel.open(file, StandardOpenOption.READ);
        heapBuffers = new ByteBuffer[DEPTH];
        for (int i = 0; i < DEPTH; i++) {
            heapBuffers[i] = ByteBuffer.allocateDirect(BLOCK);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        context.destroy();
        Linux.close(new Errno(), fd);
        channel.close();
        asyncChannel.close();
        arena.close();
    }

    private long nextOffset() {
        return offsets[next++ & (OFFSETS - 1)];
    }

    private void onEvent(final EventView event) {
        reapedBytes += event.result();
    }

    /** Queue depth 1: one pread submitted, its event reaped. Read as a latency (SampleTime gives percentiles). */
    @Benchmark
    @BenchmarkMode({Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long aioringQd1() {
        writer.reset();
        writer.pread(fd, buffers.address(), BLOCK, nextOffset(), 1);
        context.submit(writer);
        context.getevents(1, Integer.MAX_VALUE, 10_000_000_000L, countBytes);
        return reapedBytes;
    }

    /** Queue depth 32: 32 preads submitted as one batch, then their 32 events reaped. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(DEPTH)
    public long aioringQd32() {
        writer.reset();
        for (int i = 0; i < DEPTH; i++) {
            writer.pread(fd, buffers.address() + (long) i * BLOCK, BLOCK, nextOffset(), i);
        }
        context.submit(writer);
        int reaped = 0;
        while (reaped < DEPTH) {
            reaped += context.getevents(DEPTH - reaped, Integer.MAX_VALUE, 10_000_000_000L, countBytes);
        }
        return reapedBytes;
    }

    /** FileChannel.read(buffer, position) on this thread: the synchronous baseline. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput})
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int fileChannelRead() throws IOException {
        final ByteBuffer buffer = heapBuffers[0].clear();
        return channel.read(buffer, nextOffset());
    }

    @Benchmark
    @BenchmarkMode({Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int fileChannelReadLatency() throws IOException {
        return fileChannelRead();
    }

    /** AsynchronousFileChannel with 32 reads in flight: 32 issued, then all 32 awaited. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(DEPTH)
    public int asyncFileChannelQd32() throws Exception {
        for (int i = 0; i < DEPTH; i++) {
            futures[i] = asyncChannel.read(heapBuffers[i].clear(), nextOffset());
        }
        int bytes = 0;
        for (int i = 0; i < DEPTH; i++) {
            bytes += futures[i].get();
        }
        return bytes;
    }
}
