package io.aioring.abi.layout;

import static io.aioring.abi.layout.SetupDescriptor.*;

import java.nio.file.Path;

import org.agrona.DirectBuffer;

/**
 * The fields of a checked {@code io_setup2} block ({@link SetupDescriptor}), read once, with the ring's path (the
 * one parameter outside the block): what the engine is set up from.
 *
 * @param flags               FLAG_* bits
 * @param ringDataBytes       the ring's data bytes
 * @param overflowBound       the most events the overflow list holds
 * @param maxInFlight         the most iocbs in flight
 * @param workers             worker threads
 * @param backend             BACKEND_*
 * @param fdSlots             fd slots (0: {@link SetupDescriptor#DEFAULT_FD_SLOTS})
 * @param ringInitialPosition where the ring's head and tail start
 * @param ringPath            where the ring file goes (null: a fresh default name)
 */
public record SetupValues(int flags, int ringDataBytes, int overflowBound, int maxInFlight, int workers, int backend,
                          int fdSlots, int ringInitialPosition, Path ringPath) {
    /**
     * {@return the values of the block at {@code index} of {@code block} (checked by the caller), and {@code ringPath}}
     *
     * @param block the buffer holding the setup block
     * @param index the byte index in the buffer
     * @param ringPath the ring file's path
     */
    public static SetupValues read(final DirectBuffer block, final int index, final Path ringPath) {
        return new SetupValues(block.getInt(index + FLAGS_OFFSET), block.getInt(index + RING_DATA_BYTES_OFFSET),
            block.getInt(index + OVERFLOW_BOUND_OFFSET), block.getInt(index + MAX_IN_FLIGHT_OFFSET),
            block.getInt(index + WORKERS_OFFSET), block.getInt(index + BACKEND_OFFSET), block.getInt(index + FD_SLOTS_OFFSET),
            block.getInt(index + RING_INITIAL_POSITION_OFFSET), ringPath);
    }
}
