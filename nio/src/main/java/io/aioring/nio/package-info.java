/**
 * Java's asynchronous channels on an aioring context: {@link io.aioring.nio.AioFileChannel}, an
 * {@link java.nio.channels.AsynchronousFileChannel} whose reads and writes are iocbs, so that a program written
 * against the JDK's interface runs on the engine (and its completions land in a ring that {@code aioring trace}
 * sees from another terminal).
 */
package io.aioring.nio;
