/**
 * The engine behind a context; not part of the API (only {@code io.aioring.abi} uses it, a test checks that). The
 * in-flight iocb ({@code InFlight}: one owner, state changes as methods), the submissions and their slots,
 * decoding iocbs, completion posting (flat combining, the overflow list, publish and signal), the context thread,
 * the eventfd's socket, the JDK Flight Recorder events, and the {@code Backend} door through which iocbs are
 * executed: io_uring, or a worker-thread pool.
 */
package io.aioring.abi.engine;
