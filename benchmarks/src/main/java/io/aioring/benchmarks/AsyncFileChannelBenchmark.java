package io.aioring.benchmarks;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.aioring.linux.JvmFlags;
import io.aioring.nio.AioFileChannel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 4 KiB random reads, 32 in flight, through {@link AsynchronousFileChannel}: the JDK's own (a thread pool making
 * blocking preads) beside aioring's {@link AioFileChannel}, same file, same offsets, same buffers. Each invocation
 * issues 32 reads and waits for all (an operation is one read).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.ADD_EXPORTS, JvmFlags.UNSAFE_EXPORT, JvmFlags.NATIVE_ACCESS,
    "--sun-misc-unsafe-memory-access=allow"})
public class AsyncFileChannelBenchmark {
    private static final int DEPTH = 32;

    @Param({"1g"})
    public String fileSize;

    @Param({"jdk", "aioring"})
    public String channel;

    @Param({"false", "true"})
    public boolean direct;

    private AsynchronousFileChannel file;
    private final ByteBuffer[] buffers = new ByteBuffer[DEPTH];
    @SuppressWarnings("unchecked")
    private final Future<Integer>[] reads = new Future[DEPTH];
    private long[] offsets;
    private int next;

    @Setup(Level.Trial)
    public void open() throws Exception {
        final Path path = CachedFile.prepare(fileSize);
        final long size = CachedFile.parseSize(fileSize);
        offsets = CachedFile.randomOffsets(size, 4096, 1 << 16);
        final Set<OpenOption> options = direct ? Set.of(StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)
            : Set.of(StandardOpenOption.READ);
        file = channel.equals("jdk") ? AsynchronousFileChannel.open(path, options, null) : AioFileChannel.open(path, options, null);
        for (int i = 0; i < DEPTH; i++) {
            buffers[i] = ByteBuffer.allocateDirect(8192).alignedSlice(4096).limit(4096);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        file.close();
    }

    @Benchmark
    @OperationsPerInvocation(DEPTH)
    public int read32() throws Exception {
        for (int i = 0; i < DEPTH; i++) {
            buffers[i].clear().limit(4096);
            reads[i] = file.read(buffers[i], offsets[next++ & (offsets.length - 1)]);
        }
        int bytes = 0;
        for (int i = 0; i < DEPTH; i++) {
            bytes += reads[i].get();
        }
        return bytes;
    }
}
