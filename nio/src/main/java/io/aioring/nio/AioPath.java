package io.aioring.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/**
 * A path of {@link AioFileSystem}: the JDK's own path inside, so that every call but the channels' goes to the
 * JDK unchanged, and {@link #getFileSystem()} answers the wrapping file system (whose provider opens
 * {@link AioFileChannel}s).
 */
final class AioPath implements Path {
    private final AioFileSystem fileSystem;
    private final Path delegate;

    AioPath(final AioFileSystem fileSystem, final Path delegate) {
        this.fileSystem = fileSystem;
        this.delegate = delegate;
    }

    /** @return the JDK's path inside {@code path}, or {@code path} itself if it is not one of ours */
    static Path unwrap(final Path path) {
        return path instanceof AioPath ours ? ours.delegate : path;
    }

    private Path wrap(final Path path) {
        return path == null ? null : new AioPath(fileSystem, path);
    }

    @Override
    public AioFileSystem getFileSystem() {
        return fileSystem;
    }

    @Override
    public boolean isAbsolute() {
        return delegate.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(delegate.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(delegate.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(delegate.getParent());
    }

    @Override
    public int getNameCount() {
        return delegate.getNameCount();
    }

    @Override
    public Path getName(final int index) {
        return wrap(delegate.getName(index));
    }

    @Override
    public Path subpath(final int beginIndex, final int endIndex) {
        return wrap(delegate.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(final Path other) {
        return other instanceof AioPath && delegate.startsWith(unwrap(other));
    }

    @Override
    public boolean endsWith(final Path other) {
        return other instanceof AioPath && delegate.endsWith(unwrap(other));
    }

    @Override
    public Path normalize() {
        return wrap(delegate.normalize());
    }

    @Override
    public Path resolve(final Path other) {
        return wrap(delegate.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(final Path other) {
        return wrap(delegate.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
        return delegate.toUri();
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(delegate.toAbsolutePath());
    }

    @Override
    public Path toRealPath(final LinkOption... options) throws IOException {
        return wrap(delegate.toRealPath(options));
    }

    @Override
    public WatchKey register(final WatchService watcher, final WatchEvent.Kind<?>[] events, final WatchEvent.Modifier... modifiers)
        throws IOException {
        return delegate.register(watcher, events, modifiers);
    }

    @Override
    public int compareTo(final Path other) {
        return delegate.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof AioPath path && path.fileSystem == fileSystem && delegate.equals(path.delegate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileSystem, delegate);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
