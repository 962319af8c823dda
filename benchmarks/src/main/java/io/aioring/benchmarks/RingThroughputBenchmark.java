package io.aioring.benchmarks;

import java.util.concurrent.TimeUnit;

import io.aioring.linux.JvmFlags;
import io.aioring.ring.RecordHandler;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;
import io.aioring.ring.RingSpec;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.*;

/**
 * Messages per second from one producer thread to reaper threads, aioring beside Agrona's ring buffers, on
 * off-heap buffers of the same data size, in one run. Read the {@code messages} rows (records reaped per second);
 * the producer rows count offer attempts, successful or not.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RingThroughputBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.ADD_EXPORTS, JvmFlags.UNSAFE_EXPORT, JvmFlags.NATIVE_ACCESS,
    "--sun-misc-unsafe-memory-access=allow"})
public class RingThroughputBenchmark {
    static final int DATA_LENGTH = 64 * 1024;
    static final int TYPE = 1;

    /** Records reaped, per reaper thread; JMH sums them into the "messages" rows. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Reaped implements RecordHandler, MessageHandler {
        public long messages;

        @Override
        public void onRecord(final int type, final DirectBuffer buffer, final int index, final int length) {
            messages++;
        }

        @Override
        public void onMessage(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index, final int length) {
            messages++;
        }
    }

    @State(Scope.Group)
    public static class Rings {
        @Param({"32", "256"})
        int payload;

        UnsafeBuffer message;
        Ring ring;
        RingProducer producer;
        OneToOneRingBuffer oneToOne;
        ManyToOneRingBuffer manyToOne;

        @Setup(Level.Iteration)
        public void setUp() {
            message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(payload, 64));
            ring = Ring.format(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                (int) RingDescriptor.totalLength(DATA_LENGTH), 4096)), RingSpec.of(DATA_LENGTH));
            producer = new RingProducer(ring);
            oneToOne = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                DATA_LENGTH + RingBufferDescriptor.TRAILER_LENGTH, 4096)));
            manyToOne = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                DATA_LENGTH + RingBufferDescriptor.TRAILER_LENGTH, 4096)));
        }
    }

    /** Each reaper thread's own reaper (a reaper belongs to one thread). */
    @State(Scope.Thread)
    public static class SharedReaper {
        RingReaper reaper;

        @Setup(Level.Iteration)
        public void setUp(final Rings rings) {
            reaper = new RingReaper(rings.ring, RingReaper.Mode.SHARED);
        }
    }

    @State(Scope.Thread)
    public static class ExclusiveReaper {
        RingReaper reaper;

        @Setup(Level.Iteration)
        public void setUp(final Rings rings) {
            reaper = new RingReaper(rings.ring, RingReaper.Mode.EXCLUSIVE);
        }
    }

    @Benchmark
    @Group("aioringShared")
    @GroupThreads(1)
    public boolean aioringSharedOffer(final Rings rings) {
        return rings.producer.offer(TYPE, rings.message, 0, rings.payload);
    }

    @Benchmark
    @Group("aioringShared")
    @GroupThreads(1)
    public int aioringSharedReap(final SharedReaper state, final Reaped reaped) {
        return state.reaper.poll(reaped, Integer.MAX_VALUE);
    }

    @Benchmark
    @Group("aioringShared2Reapers")
    @GroupThreads(1)
    public boolean aioringShared2Offer(final Rings rings) {
        return rings.producer.offer(TYPE, rings.message, 0, rings.payload);
    }

    @Benchmark
    @Group("aioringShared2Reapers")
    @GroupThreads(2)
    public int aioringShared2Reap(final SharedReaper state, final Reaped reaped) {
        return state.reaper.poll(reaped, Integer.MAX_VALUE);
    }

    @Benchmark
    @Group("aioringExclusive")
    @GroupThreads(1)
    public boolean aioringExclusiveOffer(final Rings rings) {
        return rings.producer.offer(TYPE, rings.message, 0, rings.payload);
    }

    @Benchmark
    @Group("aioringExclusive")
    @GroupThreads(1)
    public int aioringExclusiveReap(final ExclusiveReaper state, final Reaped reaped) {
        return state.reaper.poll(reaped, Integer.MAX_VALUE);
    }

    @Benchmark
    @Group("agronaOneToOne")
    @GroupThreads(1)
    public boolean agronaOneToOneWrite(final Rings rings) {
        return rings.oneToOne.write(TYPE, rings.message, 0, rings.payload);
    }

    @Benchmark
    @Group("agronaOneToOne")
    @GroupThreads(1)
    public int agronaOneToOneRead(final Rings rings, final Reaped reaped) {
        return rings.oneToOne.read(reaped);
    }

    @Benchmark
    @Group("agronaManyToOne")
    @GroupThreads(1)
    public boolean agronaManyToOneWrite(final Rings rings) {
        return rings.manyToOne.write(TYPE, rings.message, 0, rings.payload);
    }

    @Benchmark
    @Group("agronaManyToOne")
    @GroupThreads(1)
    public int agronaManyToOneRead(final Rings rings, final Reaped reaped) {
        return rings.manyToOne.read(reaped);
    }
}
