package io.aioring.abi;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * Java's {@link OpenOption}s as open(2) flags, with the rules of {@link java.nio.channels.FileChannel#open}, and
 * a failed open as the exception the JDK throws for it — for {@link AioContext#openFile(Path, OpenOption...)} and
 * for channels built on contexts.
 *
 * <pre>{@code
 * int flags = OpenFlags.of(Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE));  // O_WRONLY|O_CREAT|O_CLOEXEC
 * }</pre>
 */
public final class OpenFlags {
    private OpenFlags() {
    }

    /**
     * The flags for {@code options}: READ (the default when neither READ nor WRITE is given), WRITE, CREATE,
     * CREATE_NEW and TRUNCATE_EXISTING (these three only with WRITE, else ignored, as the JDK does), SYNC, DSYNC,
     * {@link LinkOption#NOFOLLOW_LINKS} and {@code ExtendedOpenOption.DIRECT} (O_DIRECT); always O_CLOEXEC.
     * DELETE_ON_CLOSE and SPARSE add nothing: what to do with them is the caller's.
     *
     * @param options the options
     * @return open(2) flags
     * @throws UnsupportedOperationException for APPEND (an iocb writes at the position it names, which O_APPEND
     *                                       would override) and any option this does not know
     * @throws NullPointerException          for a null option
     */
    public static int of(final Set<? extends OpenOption> options) {
        boolean read = options.contains(StandardOpenOption.READ);
        final boolean write = options.contains(StandardOpenOption.WRITE);
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
        if (!read && !write) {
            read = true;
        }
        int flags = Linux.O_CLOEXEC | (read && write ? Linux.O_RDWR : write ? Linux.O_WRONLY : Linux.O_RDONLY);
        for (final OpenOption option : options) {
            if (option instanceof StandardOpenOption standard) {
                switch (standard) {
                    case CREATE -> flags |= write ? Linux.O_CREAT : 0;
                    case CREATE_NEW -> flags |= write ? Linux.O_CREAT | Linux.O_EXCL : 0;
                    case TRUNCATE_EXISTING -> flags |= write ? Linux.O_TRUNC : 0;
                    case SYNC -> flags |= Linux.O_SYNC;
                    case DSYNC -> flags |= Linux.O_DSYNC;
                    case READ, WRITE, DELETE_ON_CLOSE, SPARSE -> { }
                    default -> throw new UnsupportedOperationException(option + " not supported");
                }
            } else if (option == com.sun.nio.file.ExtendedOpenOption.DIRECT) {
                flags |= Linux.O_DIRECT;
            } else if (option == LinkOption.NOFOLLOW_LINKS) {
                flags |= Linux.O_NOFOLLOW;
            } else if (option == null) {
                throw new NullPointerException("an option is null");
            } else {
                throw new UnsupportedOperationException(option + " not supported");
            }
        }
        return flags;
    }

    /**
     * {@return the exception the JDK gives for it: {@link NoSuchFileException} (ENOENT), {@link
     * FileAlreadyExistsException} (EEXIST), {@link AccessDeniedException} (EACCES, EPERM), else a {@link
     * FileSystemException} naming the errno}
     *
     * @param path  the file that would not open
     * @param errno the open's result, {@code -errno}
     */
    public static IOException failure(final Path path, final int errno) {
        return switch (-errno) {
            case Errno.ENOENT -> new NoSuchFileException(path.toString());
            case Errno.EEXIST -> new FileAlreadyExistsException(path.toString());
            case Errno.EACCES, Errno.EPERM -> new AccessDeniedException(path.toString());
            default -> new FileSystemException(path.toString(), null, Errno.describeResult(errno));
        };
    }
}
