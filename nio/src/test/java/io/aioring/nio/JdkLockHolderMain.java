package io.aioring.nio;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A child JVM that locks a file with the JDK's own FileChannel, says "locked", and holds it until killed. */
public final class JdkLockHolderMain {
    private JdkLockHolderMain() {
    }

    public static void main(final String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock lock = channel.lock(Long.parseLong(args[1]), Long.parseLong(args[2]), false)) {
            System.out.println("locked " + lock.isValid());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
