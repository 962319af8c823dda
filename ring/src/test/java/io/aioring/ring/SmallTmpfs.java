package io.aioring.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * A 64 KiB tmpfs mounted for a test (a file system with no room), unmounted on close. Needs the right to mount
 * (root): without it, the test is skipped, saying why.
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path dir;

    private SmallTmpfs(final Path dir) {
        this.dir = dir;
    }

    /** @return a 64 KiB tmpfs mounted on a new directory {@code name} under {@code parent} */
    public static SmallTmpfs mount(final Path parent, final String name) throws IOException, InterruptedException {
        final Path dir = Files.createDirectory(parent.resolve(name));
        final Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString())
            .redirectErrorStream(true).start();
        final String said = new String(mount.getInputStream().readAllBytes());
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a small tmpfs here: " + said);
        return new SmallTmpfs(dir);
    }

    /** @return where it is mounted */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", dir.toString()).start().waitFor();
    }
}
