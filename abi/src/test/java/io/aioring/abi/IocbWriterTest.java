package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** A writer sized by the iocbs it will hold: exactly that many fit, the next one says how to size a batch. */
class IocbWriterTest {
    @Test
    void aWriterForNIocbsHoldsExactlyThemAndTheEngineTakesTheBatch() {
        final IocbWriter writer = IocbWriter.forIocbs(2, 3);
        assertEquals(2 * (56 + 3 * 8), writer.buffer().capacity());
        for (int i = 0; i < 2; i++) {
            writer.nop(i).attribute(1, 0).attribute(2, 0).attribute(3, 0);
        }
        assertEquals(writer.buffer().capacity(), writer.length(), "filled exactly");
        final IndexOutOfBoundsException full = assertThrows(IndexOutOfBoundsException.class, () -> writer.nop(2));
        assertTrue(full.getMessage().contains("bytesFor"), full.getMessage());
        try (ContextFixture f = new ContextFixture(TestBackend.params())) {
            assertEquals(2, f.context.submit(writer), "the engine decodes the batch as written");
            assertEquals(2, f.reap(2).size());
        }
    }

    @Test
    void bytesForCountsHeadersRequestsAndPayloads() {
        assertEquals(56, IocbWriter.bytesFor(1, 0, 0));
        assertEquals(56 + 2 * 8 + 16, IocbWriter.bytesFor(1, 2, 16));
        assertEquals(0, IocbWriter.bytesFor(0, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> IocbWriter.bytesFor(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> IocbWriter.bytesFor(1, 17, 0), "at most 16 attributes");
        assertThrows(IllegalArgumentException.class, () -> IocbWriter.bytesFor(Integer.MAX_VALUE, 16, 0));
    }
}
