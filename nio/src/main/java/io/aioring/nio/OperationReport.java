package io.aioring.nio;

import java.time.Duration;

/**
 * What one read or write of an {@link AioFileChannel} moved and how it went, from the attributes its iocb asked for
 * ({@link AioFileChannel#readAndReport}, {@link AioFileChannel#writeAndReport}): something no JDK channel can say.
 *
 * @param bytes       bytes moved; -1 for a read at the end of the file
 * @param queueTime   from submit until the call was handed to the kernel or a worker
 * @param serviceTime from then until the completion was seen
 * @param pageCache   whether the page cache held the bytes when the call was made
 * @param path        how the call ran
 * @param cpu         the CPU that completed it, or -1 if unknown
 */
public record OperationReport(int bytes, Duration queueTime, Duration serviceTime, PageCache pageCache, ExecutionPath path,
                              int cpu) {
    /** Whether the page cache held the bytes, as the page-cache attribute saw it. */
    public enum PageCache {
        /** every byte asked for was cached */
        HIT,
        /** some were */
        PARTIAL,
        /** none was */
        MISS,
        /** the attribute could not say (e.g. a write, or a file system that cannot tell) */
        UNKNOWN
    }

    /** How the call ran, as the path attribute saw it. */
    public enum ExecutionPath {
        /** inside the submit call, on the submitting thread (a page-cache hit) */
        INLINE,
        /** in the kernel, with no thread of ours waiting (io_uring) */
        ASYNC,
        /** on a worker thread of the engine (a blocking call) */
        WORKER,
        /** not reported */
        UNKNOWN
    }
}
