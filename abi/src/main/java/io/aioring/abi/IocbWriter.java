package io.aioring.abi;

import static io.aioring.abi.layout.IocbDescriptor.*;

import java.lang.foreign.MemorySegment;

import io.aioring.abi.layout.AttributeRequestDescriptor;
import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.layout.Layout;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes a batch of iocbs into a buffer exactly as {@link IocbDescriptor} lays them out, ready for
 * {@link AioContext#submit}. Start an iocb with one of the operation methods, add attribute requests to it, start
 * the next. Allocates nothing; reuse it with {@link #reset()}. Two reads, the second asking for one attribute, in
 * a writer sized for them ({@link #bytesFor}: 56 bytes an iocb, 8 an attribute request without payload):
 *
 * <pre>{@code
 * IocbWriter batch = IocbWriter.forIocbs(2, 1)
 *     .pread(fd, first, 0, 1)
 *     .pread(fd, second, 4096, 2).attribute(TimingAttribute.ID, 0);
 * ctx.submit(batch);    // a malformed iocb throws IocbFormatException, naming it and its field
 * batch.reset();        // empty again, for the next batch
 * }</pre>
 */
public final class IocbWriter {
    private MutableDirectBuffer buffer;
    private int start;
    private int position;
    private int current = -1;
    private int count;

    /**
     * Writes iocbs from the start of {@code buffer}; size it as {@link #bytesFor}, or let {@link #forIocbs} do it.
     *
     * @param buffer where the batch goes
     */
    public IocbWriter(final MutableDirectBuffer buffer) {
        wrap(buffer, 0);
    }

    /**
     * A writer with a batch buffer of its own, room for {@code iocbs} iocbs of {@code attributesEach} attribute
     * requests without payload (the built-in attributes take none):
     *
     * <pre>{@code
     * IocbWriter batch = IocbWriter.forIocbs(32, 3);   // 32 reads with timing, page-cache and path
     * }</pre>
     *
     * @param iocbs          iocbs per batch
     * @param attributesEach attribute requests per iocb, at most 16
     * @return the writer
     * @throws IllegalArgumentException if either is negative, more than 16 attributes are asked, or the batch
     *                                  would pass 2^31-1 bytes
     */
    public static IocbWriter forIocbs(final int iocbs, final int attributesEach) {
        return new IocbWriter(new org.agrona.concurrent.UnsafeBuffer(new byte[bytesFor(iocbs, attributesEach, 0)]));
    }

    /**
     * The bytes a batch takes (docs/abi.md 2.2, 2.3): per iocb, its 56-byte header, then 8 bytes per attribute
     * request plus each request's payload rounded up to 8.
     *
     * @param iocbs          iocbs in the batch
     * @param attributesEach attribute requests per iocb, at most 16
     * @param payloadEach    request payload bytes per iocb, each request's rounded up to 8 and summed
     * @return the batch's length in bytes
     * @throws IllegalArgumentException if any is negative, more than 16 attributes are asked, or the batch would
     *                                  pass 2^31-1 bytes
     */
    public static int bytesFor(final int iocbs, final int attributesEach, final int payloadEach) {
        if (iocbs < 0 || attributesEach < 0 || payloadEach < 0 || attributesEach > 16) {
            throw new IllegalArgumentException("iocbs " + iocbs + ", attributes each " + attributesEach + " (at most 16)"
                + ", payload each " + payloadEach + ": none may be negative");
        }
        final long each = HEADER_LENGTH + (long) attributesEach * AttributeRequestDescriptor.HEADER_LENGTH + payloadEach;
        final long total = each * iocbs;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + iocbs + " iocbs of " + each + " bytes passes 2^31-1 bytes");
        }
        return (int) total;
    }

    /**
     * Writes from {@code index} of {@code buffer}, forgetting what was written before.
     *
     * @param buffer the buffer
     * @param index the byte index in the buffer
     * @return this writer, for the next call
     */
    public IocbWriter wrap(final MutableDirectBuffer buffer, final int index) {
        this.buffer = buffer;
        this.start = index;
        return reset();
    }

    /**
     * Forgets what was written: the next iocb goes at the start again.
     *
     * @return this writer, for the next call
     */
    public IocbWriter reset() {
        position = start;
        current = -1;
        count = 0;
        return this;
    }

    /** {@return the buffer the iocbs are written into, for {@link AioContext#submit(org.agrona.DirectBuffer, int, int)}} */
    public MutableDirectBuffer buffer() {
        return buffer;
    }

    /** {@return the batch's first byte} */
    public int offset() {
        return start;
    }

    /** {@return bytes written: the batch's length} */
    public int length() {
        return position - start;
    }

    /** {@return iocbs written} */
    public int count() {
        return count;
    }

    /**
     * Starts an iocb with every field given.
     *
     * @param opcode the opcode
     * @param fd the file descriptor
     * @param offset the iocb's offset field
     * @param address the iocb's address field
     * @param lengthOrCount the iocb's length_or_count field
     * @param opFlags the opcode's own flags (the iocb's op_flags)
     * @param mode the iocb's mode field (openat's mode, the fd written to, statx's mask: docs/abi.md 2.2)
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter iocb(final int opcode, final int fd, final long offset, final long address, final int lengthOrCount,
                           final int opFlags, final int mode, final long userData) {
        if (position + HEADER_LENGTH > buffer.capacity()) {
            throw new IndexOutOfBoundsException("the batch buffer (" + buffer.capacity() + " bytes) is full after "
                + count + " iocbs: size it with IocbWriter.bytesFor, or submit and reset");
        }
        current = position;
        buffer.putInt(current + LENGTH_OFFSET, HEADER_LENGTH);
        buffer.putShort(current + OPCODE_OFFSET, (short) opcode);
        buffer.putShort(current + FLAGS_OFFSET, (short) 0);
        buffer.putInt(current + FD_OFFSET, fd);
        buffer.putShort(current + PRIORITY_OFFSET, (short) 0);
        buffer.putShort(current + ATTRIBUTE_COUNT_OFFSET, (short) 0);
        buffer.putLong(current + OFFSET_OFFSET, offset);
        buffer.putLong(current + ADDRESS_OFFSET, address);
        buffer.putInt(current + LENGTH_OR_COUNT_OFFSET, lengthOrCount);
        buffer.putInt(current + OP_FLAGS_OFFSET, opFlags);
        buffer.putLong(current + USER_DATA_OFFSET, userData);
        buffer.putInt(current + MODE_OFFSET, mode);
        buffer.putInt(current + TIMEOUT_MS_OFFSET, 0);
        position = current + HEADER_LENGTH;
        count++;
        return this;
    }

    /**
     * A nop: completes with result 0, doing nothing (a wake-up, a marker in a chain).
     *
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter nop(final long userData) {
        return iocb(Opcode.NOP, -1, 0, 0, 0, 0, 0, userData);
    }

    /**
     * pread(2): reads up to {@code length} bytes at {@code offset} of {@code fd} into registered memory at
     * {@code address}; the event's result is the bytes read (0 at the end of the file) or -errno.
     *
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter pread(final int fd, final long address, final int length, final long offset, final long userData) {
        return iocb(Opcode.PREAD, fd, offset, address, length, 0, 0, userData);
    }

    /**
     * {@link #pread(int, long, int, long, long)} into all of {@code buffer}:
     *
     * <pre>{@code
     * MemorySegment block = arena.allocate(4096, 4096);
     * context.registerMemory(block);
     * writer.pread(fd, block, 0, 1);
     * }</pre>
     *
     * @param buffer native memory registered with the context, at most 2^31-1 bytes
     * @param fd the file descriptor
     * @param offset the byte offset in the file
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     * @throws IllegalArgumentException if the segment is on the heap or longer than an iocb's length field holds
     */
    public IocbWriter pread(final int fd, final MemorySegment buffer, final long offset, final long userData) {
        return pread(fd, buffer.address(), length(buffer), offset, userData);
    }

    /**
     * pwrite(2): writes {@code length} bytes from registered memory at {@code address} at {@code offset} of
     * {@code fd}; the event's result is the bytes written or -errno.
     *
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter pwrite(final int fd, final long address, final int length, final long offset, final long userData) {
        return iocb(Opcode.PWRITE, fd, offset, address, length, 0, 0, userData);
    }

    /**
     * {@link #pwrite(int, long, int, long, long)} of all of {@code buffer}; as {@link #pread(int, MemorySegment, long, long)}.
     *
     * @param fd the file descriptor
     * @param buffer the buffer
     * @param offset the byte offset in the file
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter pwrite(final int fd, final MemorySegment buffer, final long offset, final long userData) {
        return pwrite(fd, buffer.address(), length(buffer), offset, userData);
    }

    /**
     * {@link #recv(int, long, int, int, long)} into all of {@code buffer}; as {@link #pread(int, MemorySegment, long, long)}.
     *
     * @param fd the file descriptor
     * @param buffer the buffer
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter recv(final int fd, final MemorySegment buffer, final int msgFlags, final long userData) {
        return recv(fd, buffer.address(), length(buffer), msgFlags, userData);
    }

    /**
     * {@link #send(int, long, int, int, long)} of all of {@code buffer}; as {@link #pread(int, MemorySegment, long, long)}.
     *
     * @param fd the file descriptor
     * @param buffer the buffer
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter send(final int fd, final MemorySegment buffer, final int msgFlags, final long userData) {
        return send(fd, buffer.address(), length(buffer), msgFlags, userData);
    }

    private static int length(final MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("an iocb can only point at native memory; this segment is on the heap");
        }
        if (buffer.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an iocb moves at most 2^31-1 bytes; this segment has " + buffer.byteSize());
        }
        return (int) buffer.byteSize();
    }

    /**
     * Appends a preadv: reads into the iovecs at {@code offset}.
     *
     * @param fd the file descriptor
     * @param count how many
     * @param offset the byte offset in the file
     * @param rwfFlags RWF_* flags
     * @param userData copied into the completion untouched
     * @param iovecs the address of {@code count} struct iovec (16 bytes each: base, length)
     * @return this writer, for the next call
     */
    public IocbWriter preadv(final int fd, final long iovecs, final int count, final long offset, final int rwfFlags,
                             final long userData) {
        return iocb(Opcode.PREADV, fd, offset, iovecs, count, rwfFlags, 0, userData);
    }

    /**
     * pwritev2(2): gathers from {@code count} iovecs; as {@link #preadv}.
     *
     * @param fd the file descriptor
     * @param iovecs the address of the iovec array
     * @param count how many
     * @param offset the byte offset in the file
     * @param rwfFlags RWF_* flags
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter pwritev(final int fd, final long iovecs, final int count, final long offset, final int rwfFlags,
                              final long userData) {
        return iocb(Opcode.PWRITEV, fd, offset, iovecs, count, rwfFlags, 0, userData);
    }

    /**
     * fsync(2): the file's data and metadata to the device; result 0 or -errno.
     *
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter fsync(final int fd, final long userData) {
        return iocb(Opcode.FSYNC, fd, 0, 0, 0, 0, 0, userData);
    }

    /**
     * fdatasync(2): the file's data (and the metadata needed to read it) to the device; result 0 or -errno.
     *
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter fdatasync(final int fd, final long userData) {
        return iocb(Opcode.FDATASYNC, fd, 0, 0, 0, 0, 0, userData);
    }

    /**
     * Appends an openat: opens {@code path}, relative to {@code dirfd}.
     *
     * @param dirfd the directory descriptor, or AT_FDCWD
     * @param pathLength the path's length in bytes
     * @param flags O_* flags
     * @param mode the permissions of a created file
     * @param userData copied into the completion untouched
     * @param path the address of the path's bytes (no NUL needed), {@code pathLength} long
     * @return this writer, for the next call
     */
    public IocbWriter openat(final int dirfd, final long path, final int pathLength, final int flags, final int mode,
                             final long userData) {
        return iocb(Opcode.OPENAT, dirfd, 0, path, pathLength, flags, mode, userData);
    }

    /**
     * close(2) of {@code fd} (with {@link #fixedFd()}, empties the slot); result 0 or -errno.
     *
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter close(final int fd, final long userData) {
        return iocb(Opcode.CLOSE, fd, 0, 0, 0, 0, 0, userData);
    }

    /**
     * Appends a recv: waits for bytes on the socket.
     *
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @param msgFlags MSG_* flags (MSG_DONTWAIT: complete -EAGAIN rather than wait)
     * @return this writer, for the next call
     */
    public IocbWriter recv(final int fd, final long address, final int length, final int msgFlags, final long userData) {
        return iocb(Opcode.RECV, fd, 0, address, length, msgFlags, 0, userData);
    }

    /**
     * Appends a send.
     *
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @param msgFlags MSG_* flags; the engine adds MSG_NOSIGNAL
     * @return this writer, for the next call
     */
    public IocbWriter send(final int fd, final long address, final int length, final int msgFlags, final long userData) {
        return iocb(Opcode.SEND, fd, 0, address, length, msgFlags, 0, userData);
    }

    /**
     * Appends an accept: waits for a connection on the listening socket.
     *
     * @param sockFlags SOCK_NONBLOCK and SOCK_CLOEXEC for the new socket
     * @param multishot one event per connection (flag MORE) until cancelled
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter accept(final int fd, final int sockFlags, final boolean multishot, final long userData) {
        iocb(Opcode.ACCEPT, fd, 0, 0, 0, sockFlags, 0, userData);
        return multishot ? flags(IocbDescriptor.FLAG_MULTISHOT) : this;
    }

    /**
     * Appends a connect.
     *
     * @param fd the file descriptor
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @param sockaddr the address of a struct sockaddr of {@code length} bytes
     * @return this writer, for the next call
     */
    public IocbWriter connect(final int fd, final long sockaddr, final int length, final long userData) {
        return iocb(Opcode.CONNECT, fd, 0, sockaddr, length, 0, 0, userData);
    }

    /**
     * connect(2) to the address in {@code sockaddr}, which {@link io.aioring.abi.net.SocketAddresses#write} filled:
     *
     * <pre>{@code
     * MemorySegment peer = arena.allocate(SocketAddresses.SIZE, 8);   // registered with the context
     * SocketAddresses.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), peer);
     * writer.connect(context.openSocket(), peer, 7);
     * }</pre>
     *
     * @param fd       a socket ({@link AioContext#openSocket})
     * @param sockaddr native memory registered with the context, holding the address in its first bytes
     * @param userData the event's user data
     * @return this writer
     * @throws IllegalArgumentException if the segment is on the heap or shorter than a sockaddr_in
     */
    public IocbWriter connect(final int fd, final MemorySegment sockaddr, final long userData) {
        final int length = (int) Math.min(length(sockaddr), io.aioring.abi.net.SocketAddresses.SIZE);
        if (length < io.aioring.linux.Linux.SOCKADDR_IN_SIZE) {
            throw new IllegalArgumentException("a sockaddr takes at least " + io.aioring.linux.Linux.SOCKADDR_IN_SIZE
                + " bytes; this segment has " + sockaddr.byteSize());
        }
        return connect(fd, sockaddr.address(), length, userData);
    }

    /**
     * Appends a shutdown of the socket.
     *
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
     * @return this writer, for the next call
     */
    public IocbWriter shutdown(final int fd, final int how, final long userData) {
        return iocb(Opcode.SHUTDOWN, fd, 0, 0, 0, how, 0, userData);
    }

    /**
     * Appends a poll: waits until the descriptor is ready for {@code events}.
     *
     * @param events    POLL* bits to wait for
     * @param multishot one event per wake-up (flag MORE) until cancelled
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter poll(final int fd, final int events, final boolean multishot, final long userData) {
        iocb(Opcode.POLL, fd, 0, 0, 0, events, 0, userData);
        return multishot ? flags(IocbDescriptor.FLAG_MULTISHOT) : this;
    }

    /**
     * sendfile: {@code length} bytes of {@code inFd} from {@code offset} (-1: its file position) to {@code outFd}.
     * With {@link #fixedFd()}, {@code inFd} is an fd slot.
     *
     * @param outFd the descriptor written to
     * @param inFd the descriptor read from
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter sendfile(final int outFd, final int inFd, final long offset, final int length, final long userData) {
        return iocb(Opcode.SENDFILE, inFd, offset, 0, length, 0, outFd, userData);
    }

    /**
     * Appends a recvmsg.
     *
     * @param fd the file descriptor
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @param msghdr the address of a struct msghdr (56 bytes); it, its iovecs, name and control must be registered
     * @return this writer, for the next call
     */
    public IocbWriter recvmsg(final int fd, final long msghdr, final int msgFlags, final long userData) {
        return iocb(Opcode.RECVMSG, fd, 0, msghdr, 0, msgFlags, 0, userData);
    }

    /**
     * Appends a sendmsg.
     *
     * @param fd the file descriptor
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @param msghdr the address of a struct msghdr (56 bytes); the engine adds MSG_NOSIGNAL
     * @return this writer, for the next call
     */
    public IocbWriter sendmsg(final int fd, final long msghdr, final int msgFlags, final long userData) {
        return iocb(Opcode.SENDMSG, fd, 0, msghdr, 0, msgFlags, 0, userData);
    }

    /**
     * Appends a splice: moves bytes between a pipe and another descriptor in the kernel.
     *
     * @param fdIn the descriptor read from
     * @param fdOut the descriptor written to
     * @param offOut the offset in fdOut (-1: its file position)
     * @param length the length in bytes
     * @param spliceFlags SPLICE_F_* flags
     * @param userData copied into the completion untouched
     * @param offIn {@code fdIn}'s offset, -1 for none (a pipe, a socket); likewise {@code offOut}
     * @return this writer, for the next call
     */
    public IocbWriter splice(final int fdIn, final long offIn, final int fdOut, final long offOut, final int length,
                             final int spliceFlags, final long userData) {
        return iocb(Opcode.SPLICE, fdIn, offIn, offOut, length, spliceFlags, fdOut, userData);
    }

    /**
     * Appends a copy_file_range: copies between files in the kernel.
     *
     * @param fdIn the descriptor read from
     * @param fdOut the descriptor written to
     * @param offOut the offset in fdOut (-1: its file position)
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @param offIn {@code fdIn}'s offset, -1 for its file position; likewise {@code offOut}
     * @return this writer, for the next call
     */
    public IocbWriter copyFileRange(final int fdIn, final long offIn, final int fdOut, final long offOut, final int length,
                                    final long userData) {
        return iocb(Opcode.COPY_FILE_RANGE, fdIn, offIn, offOut, length, 0, fdOut, userData);
    }

    /**
     * Appends a statx of {@code path}, relative to {@code dirfd}.
     *
     * @param path      the address of the path's bytes (no NUL needed), {@code pathLength} long
     * @param atFlags   AT_* flags (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW...)
     * @param mask      STATX_* fields wanted
     * @param statxbuf  256 bytes of registered memory for the struct statx
     * @param dirfd the directory descriptor, or AT_FDCWD
     * @param pathLength the path's length in bytes
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter statx(final int dirfd, final long path, final int pathLength, final int atFlags, final int mask,
                            final long statxbuf, final long userData) {
        return iocb(Opcode.STATX, dirfd, statxbuf, path, pathLength, atFlags, mask, userData);
    }

    /**
     * Appends a fallocate.
     *
     * @param fd the file descriptor
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @param mode FALLOC_FL_* flags (0: allocate and extend)
     * @return this writer, for the next call
     */
    public IocbWriter fallocate(final int fd, final int mode, final long offset, final long length, final long userData) {
        return iocb(Opcode.FALLOCATE, fd, offset, length, 0, mode, 0, userData);
    }

    /**
     * ftruncate(2) to {@code length} bytes; result 0 or -errno.
     *
     * @param fd the file descriptor
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @return this writer, for the next call
     */
    public IocbWriter ftruncate(final int fd, final long length, final long userData) {
        return iocb(Opcode.FTRUNCATE, fd, length, 0, 0, 0, 0, userData);
    }

    /**
     * Adds an attribute request with no payload to the current iocb.
     *
     * @param id the attribute's id
     * @param flags the call's flags
     * @return this writer, for the next call
     */
    public IocbWriter attribute(final int id, final int flags) {
        return attribute(id, flags, null, 0, 0);
    }

    /**
     * Adds an attribute request, its payload copied from {@code payload}, to the current iocb.
     *
     * @param id the attribute's id
     * @param flags the request's flags ({@code REQUIRED})
     * @param payload where the request payload is copied from
     * @param index the byte index in the buffer
     * @param length the length in bytes
     * @return this writer, for the next call
     */
    public IocbWriter attribute(final int id, final int flags, final DirectBuffer payload, final int index, final int length) {
        if (current < 0) {
            throw new IllegalStateException("start an iocb before adding attribute requests");
        }
        final int span = Layout.requestSpan(length);
        if (position + span > buffer.capacity()) {
            throw new IndexOutOfBoundsException("the batch buffer (" + buffer.capacity() + " bytes) is full after "
                + count + " iocbs: size it with IocbWriter.bytesFor, or submit and reset");
        }
        buffer.putShort(position + AttributeRequestDescriptor.ID_OFFSET, (short) id);
        buffer.putShort(position + AttributeRequestDescriptor.FLAGS_OFFSET, (short) flags);
        buffer.putInt(position + AttributeRequestDescriptor.PAYLOAD_LENGTH_OFFSET, length);
        if (length > 0) {
            buffer.putBytes(position + AttributeRequestDescriptor.HEADER_LENGTH, payload, index, length);
        }
        final int padding = span - AttributeRequestDescriptor.HEADER_LENGTH - length;
        if (padding > 0) {
            buffer.setMemory(position + AttributeRequestDescriptor.HEADER_LENGTH + length, padding, (byte) 0);
        }
        position += span;
        buffer.putInt(current + LENGTH_OFFSET, position - current);
        buffer.putShort(current + ATTRIBUTE_COUNT_OFFSET, (short) (buffer.getShort(current + ATTRIBUTE_COUNT_OFFSET) + 1));
        return this;
    }

    /**
     * The next iocb of the batch starts once this one succeeded (its result ≥ 0); else it completes -ECANCELED.
     *
     * @return this writer, for the next call
     */
    public IocbWriter link() {
        return addFlags(IocbDescriptor.FLAG_LINK);
    }

    /**
     * The next iocb of the batch starts once this one completed, whatever its result.
     *
     * @return this writer, for the next call
     */
    public IocbWriter hardlink() {
        return addFlags(IocbDescriptor.FLAG_HARDLINK);
    }

    /**
     * The current iocb goes straight to the backend's asynchronous path, with no attempt on the submitting thread
     * (iocb flag ASYNC): for file reads and writes the page cache cannot serve, such as those of a file opened with
     * O_DIRECT, which an attempt there would make wait for the device one at a time.
     *
     * @return this writer, for the next call
     */
    public IocbWriter async() {
        return addFlags(IocbDescriptor.FLAG_ASYNC);
    }

    /**
     * The current iocb's {@code fd} names one of the context's fd slots.
     *
     * @return this writer, for the next call
     */
    public IocbWriter fixedFd() {
        return addFlags(IocbDescriptor.FLAG_FIXED_FD);
    }

    /**
     * The current openat or accept puts its new fd into fd slot {@code slot} (-1: the lowest empty one); its result
     * is the slot.
     *
     * @param slot the fd slot
     * @return this writer, for the next call
     */
    public IocbWriter toSlot(final int slot) {
        buffer.putLong(current + OFFSET_OFFSET, slot);
        return addFlags(IocbDescriptor.FLAG_TO_SLOT);
    }

    private IocbWriter addFlags(final int flags) {
        return flags((buffer.getShort(current + FLAGS_OFFSET) & 0xFFFF) | flags);
    }

    /**
     * Sets the current iocb's flags field ({@code IocbDescriptor.FLAG_*}).
     *
     * @param flags the call's flags
     * @return this writer, for the next call
     */
    public IocbWriter flags(final int flags) {
        buffer.putShort(current + FLAGS_OFFSET, (short) flags);
        return this;
    }

    /**
     * Gives the current iocb a deadline: {@code millis} after submit it is cancelled and completes -ETIME, unless it
     * is running a call that cannot be stopped (then it completes with that call's result).
     *
     * @param millis 1 to 2^32-1 milliseconds; 0 for none
     * @return this writer, for the next call
     */
    public IocbWriter timeoutMillis(final long millis) {
        if (millis < 0 || millis > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("timeout_ms is a u32: " + millis);
        }
        buffer.putInt(current + TIMEOUT_MS_OFFSET, (int) millis);
        return this;
    }

    /**
     * Appends a timeout: completes after {@code nanos}.
     *
     * @param userData copied into the completion untouched
     * @param nanos how long from submit until it completes -ETIME
     * @return this writer, for the next call
     */
    public IocbWriter timeout(final long nanos, final long userData) {
        return iocb(Opcode.TIMEOUT, -1, nanos, 0, 0, 0, 0, userData);
    }

    /**
     * Sets the current iocb's priority field (advisory in version 1).
     *
     * @param priority the priority
     * @return this writer, for the next call
     */
    public IocbWriter priority(final int priority) {
        buffer.putShort(current + PRIORITY_OFFSET, (short) priority);
        return this;
    }
}
