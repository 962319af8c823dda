package io.aioring.nio;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A program written against the JDK alone (nothing of aioring in it): it writes a file through
 * AsynchronousFileChannel, reads it back, and uses the rest of java.nio.file as any program does. Run with the
 * provider flag, its channels are aioring's; it prints what it saw.
 */
public final class UnmodifiedProgramMain {
    private UnmodifiedProgramMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final Path file = dir.resolve("data.bin");
        final byte[] content = new byte[200_000];
        new java.util.Random(5).nextBytes(content);
        try (AsynchronousFileChannel channel = AsynchronousFileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            System.out.println("channel " + channel.getClass().getName());
            System.out.println("wrote " + channel.write(ByteBuffer.wrap(content), 0).get(10, TimeUnit.SECONDS));
            final ByteBuffer buffer = ByteBuffer.allocate(1000);
            final CompletableFuture<Integer> read = new CompletableFuture<>();
            channel.read(buffer, 5000, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(final Integer result, final Void attachment) {
                    read.complete(result);
                }

                @Override
                public void failed(final Throwable exc, final Void attachment) {
                    read.completeExceptionally(exc);
                }
            });
            System.out.println("read " + read.get(10, TimeUnit.SECONDS) + " same "
                + java.util.Arrays.equals(buffer.array(), java.util.Arrays.copyOfRange(content, 5000, 6000)));
        }
        System.out.println("readAllBytes same " + java.util.Arrays.equals(content, Files.readAllBytes(file)));
        try (Stream<Path> entries = Files.list(dir)) {
            System.out.println("list " + entries.map(p -> p.getFileName().toString()).toList());
        }
        System.out.println("toFile " + file.toFile().length() + " back " + new File(file.toString()).toPath().equals(file));
        System.out.println("provider " + FileSystems.getDefault().provider().getClass().getName());
        System.out.println("done");
    }
}
