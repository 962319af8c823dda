/**
 * JMH benchmarks and cross-process measurements beside the anchors (Agrona's ring buffers, FileChannel,
 * AsynchronousFileChannel); docs/benchmarks.md gives the commands and the results. Not a library.
 */
package io.aioring.benchmarks;
