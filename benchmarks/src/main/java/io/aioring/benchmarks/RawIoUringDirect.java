package io.aioring.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;
import io.aioring.linux.Linux;

/**
 * A bare io_uring loop, no engine: one thread keeps QD 4 KiB O_DIRECT random reads in flight on one ring, as fio's
 * io_uring engine does, with the ring set up with the flags given and at most BATCH SQEs per io_uring_enter (default:
 * all that are ready). Tells how much of the engine's O_DIRECT figure beside fio is the engine, how much the ring's
 * set-up flags, and how much the batching of submissions (docs/benchmarks.md).
 *
 * <pre>
 * java $AIORING_JVM_FLAGS -cp benchmarks/target/benchmarks.jar io.aioring.benchmarks.RawIoUringDirect FILE SECONDS [FLAGS [QD [BATCH]]]
 * </pre>
 */
public final class RawIoUringDirect {
    private RawIoUringDirect() {
    }

    public static void main(final String[] args) throws Exception {
        final Path file = Path.of(args[0]);
        final long seconds = Long.parseLong(args[1]);
        final int flags = args.length > 2 ? Integer.decode(args[2]) : 0;
        final int depth = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        // At most this many SQEs per io_uring_enter (fio's iodepth_batch_submit; its default is 1).
        final int batch = args.length > 4 ? Integer.parseInt(args[4]) : depth;
        final long blocks = Files.size(file) / 4096;
        try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.setup(depth, flags)) {
            final Errno errno = new Errno(arena);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                Linux.O_RDONLY | Linux.O_DIRECT | Linux.O_CLOEXEC, 0);
            if (fd < 0) {
                throw new IllegalStateException("open " + file + " with O_DIRECT: " + Errno.describeResult(fd));
            }
            final MemorySegment buffers = arena.allocate(4096L * depth, 4096);
            final MemorySegment scratch = arena.allocate(IoUring.WAIT_SCRATCH_BYTES, 8);
            final SplittableRandom random = new SplittableRandom(7);
            final long[] done = {0};
            final int[] inFlight = {0};
            final int[] unsubmitted = {0};
            final IoUring.CqeHandler handler = (userData, result, cqeFlags) -> {
                if (result != 4096) {
                    throw new IllegalStateException("read " + userData + ": " + Errno.describeResult(result));
                }
                done[0]++;
                inFlight[0]--;
                ring.prepRead(fd, buffers.address() + 4096L * userData, 4096, random.nextLong(blocks) * 4096, userData);
                inFlight[0]++;
                if (++unsubmitted[0] >= batch) {
                    ring.submit(0);
                    unsubmitted[0] = 0;
                }
            };
            for (int i = 0; i < depth; i++) {
                ring.prepRead(fd, buffers.address() + 4096L * i, 4096, random.nextLong(blocks) * 4096, i);
                inFlight[0]++;
            }
            final long start = System.nanoTime();
            final long end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() - end < 0) {
                ring.submit(0);
                unsubmitted[0] = 0;
                if (ring.reap(handler) == 0) {
                    ring.awaitCompletions(errno, scratch, 1_000_000L);
                }
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("raw io_uring O_DIRECT qd %d, setup flags 0x%x: %.0f IOPS%n", depth, flags, done[0] / elapsed);
            Linux.close(errno, fd);
        }
    }
}
