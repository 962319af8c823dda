package io.aioring.nio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Spring's DataBufferUtils, as a Spring program uses it: it reads and writes files through
 * AsynchronousFileChannel. Run with the provider flag, those channels are aioring's; it prints what it read and how
 * many iocbs the provider's context took.
 */
public final class SpringDataBufferMain {
    private SpringDataBufferMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final byte[] content = new byte[1_000_000];
        new java.util.Random(3).nextBytes(content);
        final Path source = dir.resolve("source.bin");
        Files.write(source, content);
        final Path copy = dir.resolve("copy.bin");
        // Read in 16 KiB buffers and write them to another file, both through AsynchronousFileChannel.
        DataBufferUtils.write(DataBufferUtils.read(source, DefaultDataBufferFactory.sharedInstance, 16 * 1024), copy,
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).block();
        final DataBuffer joined = DataBufferUtils.join(DataBufferUtils.read(copy, DefaultDataBufferFactory.sharedInstance,
            8 * 1024)).block();
        final byte[] back = new byte[joined.readableByteCount()];
        joined.read(back);
        System.out.println("copied same " + java.util.Arrays.equals(content, back));
        System.out.println("iocbs " + ChannelEngine.shared().context().submitted());
    }
}
