package io.aioring.abi.engine;

import org.agrona.concurrent.UnsafeBuffer;

/** A thread waiting for one iocb's event, which is handed to it instead of entering the ring. */
final class Awaiter {
    final Thread thread = Thread.currentThread();
    final UnsafeBuffer event;
    /** The event's length once handed over; -1 until then. */
    volatile int length = -1;

    Awaiter(final UnsafeBuffer event) {
        this.event = event;
    }
}
