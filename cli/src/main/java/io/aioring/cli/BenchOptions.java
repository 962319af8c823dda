package io.aioring.cli;

import java.nio.file.Path;

/**
 * What {@code aioring bench} was asked to do, checked and in units: sizes in bytes, times in nanoseconds,
 * attributes as ids.
 *
 * @param file          the file to use, or null for a temporary one
 * @param fileSize      bytes of the file to use
 * @param bs            block size
 * @param workload      what to read or write, and in which order
 * @param readPercent   for randrw, the share of reads
 * @param queueDepth    iocbs kept in flight (submitted and not yet reaped)
 * @param rampNanos     how long to run first, left out of every figure
 * @param durationNanos how long to run, unless {@code ioLimit} is set
 * @param ioLimit       stop after this many iocbs, or null
 * @param attributeIds  the attributes each iocb asks for
 * @param reapers       how many reapers
 * @param reaperMode    reapers in other JVMs, threads of this one, or the submitting thread itself
 * @param direct        open the file with O_DIRECT
 * @param cold          evict the file's pages from the page cache before the run (else they are read in first)
 * @param blockDevice   the file is a block device: read only, its size from the device
 * @param backend       the setup backend code: auto, io_uring or threads
 * @param workers       the engine's worker threads
 * @param ringBytes     the ring's data bytes
 * @param json          print the report as JSON
 * @param hgrm          where to write the latency histogram, or null
 */
record BenchOptions(Path file, long fileSize, long bs, Workload workload, int readPercent, int queueDepth,
                    long rampNanos, long durationNanos, Long ioLimit, int[] attributeIds, int reapers, ReaperMode reaperMode,
                    boolean direct, boolean cold, boolean blockDevice, int backend, int workers, int ringBytes, boolean json, Path hgrm) {
    /** fio's names for the workloads. */
    enum Workload {
        randread, read, randwrite, write, randrw;

        boolean writes() {
            return this != randread && this != read;
        }

        boolean sequential() {
            return this == read || this == write;
        }
    }

    /** Where the reapers run. */
    enum ReaperMode {
        /** Other JVMs, reaping through shared memory. */
        process,
        /** Threads of this JVM, each with a mapping of its own. */
        thread,
        /** The submitting thread reaps its own events with getevents, as fio's thread does. */
        caller
    }
}
