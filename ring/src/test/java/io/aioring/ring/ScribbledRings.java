package io.aioring.ring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Ring files with one header word overwritten, for tests of what readers refuse. */
public final class ScribbledRings {
    private ScribbledRings() {
    }

    /** @return a new ring file in {@code dir} with a {@code dataLength}-byte data area whose u32 at {@code offset} is {@code value} */
    public static Path withWord(final Path dir, final int dataLength, final int offset, final int value) throws IOException {
        final Path path = dir.resolve("ring-" + offset + "-" + value);
        RingFile.create(path, RingSpec.of(dataLength)).close();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
        }
        return path;
    }
}
