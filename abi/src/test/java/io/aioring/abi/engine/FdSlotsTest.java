package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;

/** The context's fd slots, by themselves: reserve, fill, use, empty, with real descriptors. */
class FdSlotsTest {
    @Test
    void aSlotIsReservedFilledUsedAndEmptied() {
        try (Arena arena = Arena.ofConfined()) {
            final Errno errno = new Errno(arena);
            final int fd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC);
            assertTrue(fd >= 0, "eventfd: " + fd);
            final FdSlots slots = new FdSlots(4);
            assertEquals(-Errno.EBADF, slots.acquire(0), "an empty slot has no fd");
            assertEquals(0, slots.reserve(-1), "the lowest empty slot");
            assertEquals(-Errno.EBUSY, slots.reserve(0), "a reserved slot is not empty");
            assertEquals(-Errno.EBADF, slots.acquire(0), "a reserved slot has no fd yet");
            slots.settle(0, fd);
            assertEquals(fd, slots.acquire(0), "a filled slot gives its fd");
            assertEquals(-Errno.EBUSY, slots.detach(0), "a close waits for no one: in use, it is refused");
            slots.release(0);
            assertEquals(fd, slots.detach(0), "unused, the close takes the fd out");
            assertEquals(-Errno.EBADF, slots.acquire(0), "and the slot is empty again");
            assertEquals(0, Linux.close(errno, fd));
        }
    }

    @Test
    void aFailedOpenEmptiesItsSlotAndBadSlotsAreRefused() {
        final FdSlots slots = new FdSlots(2);
        assertEquals(1, slots.reserve(1));
        slots.settle(1, -Errno.ENOENT);
        assertEquals(1, slots.reserve(1), "a failed openat leaves its slot empty");
        assertEquals(0, slots.reserve(-1));
        assertEquals(-Errno.ENFILE, slots.reserve(-1), "no empty slot left");
        assertEquals(-Errno.EINVAL, slots.reserve(2), "no such slot");
        assertEquals(-Errno.EINVAL, slots.reserve(-2), "no such slot");
        assertEquals(-Errno.EBADF, slots.detach(5), "no such slot");
        assertEquals(-Errno.EBADF, slots.acquire(-1), "no such slot");
    }
}
