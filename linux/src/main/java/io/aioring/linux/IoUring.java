package io.aioring.linux;

import static java.lang.foreign.ValueLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance, through FFM (no liburing, no JNI): {@code io_uring_setup}, the submission and completion
 * rings mapped into this process, thin {@code prep*} writers of submission queue entries (as liburing's
 * {@code io_uring_prep_rw} and its wrappers), {@code io_uring_enter}, and reaping completion queue entries.
 *
 * <p>Ordering, as the kernel's uapi header asks: the SQ tail is published with a release store after the entries
 * are written, the CQ tail is read with acquire before the entries are read, and the CQ head is released after
 * they have been. The kernel writes the CQ ring and reads the SQ ring; this class trusts neither head it reads back
 * beyond the ring's mask. One thread submits and reaps at a time (the caller's lock or thread confinement).
 *
 * <p>Layouts (the same on x86-64 and aarch64): {@code struct io_uring_params} is 120 bytes (sq_off at 40, cq_off at
 * 80); an SQE is 64 bytes; a CQE is 16.
 */
public final class IoUring implements AutoCloseable {
    // struct io_uring_params
    private static final int PARAMS_SIZE = 120;
    private static final int P_SQ_ENTRIES = 0;
    private static final int P_CQ_ENTRIES = 4;
    private static final int P_FLAGS = 8;
    private static final int P_FEATURES = 20;
    private static final int P_SQ_OFF = 40;
    private static final int P_CQ_OFF = 80;
    // struct io_sqring_offsets, from P_SQ_OFF
    private static final int SQ_HEAD = 0;
    private static final int SQ_TAIL = 4;
    private static final int SQ_RING_MASK = 8;
    private static final int SQ_RING_ENTRIES = 12;
    private static final int SQ_FLAGS = 16;
    private static final int SQ_ARRAY = 24;
    // struct io_cqring_offsets, from P_CQ_OFF
    private static final int CQ_HEAD = 0;
    private static final int CQ_TAIL = 4;
    private static final int CQ_RING_MASK = 8;
    private static final int CQ_RING_ENTRIES = 12;
    private static final int CQ_OVERFLOW = 16;
    private static final int CQ_CQES = 20;

    /** struct io_uring_sqe: 64 bytes. */
    public static final int SQE_SIZE = 64;
    private static final int SQE_OPCODE = 0;
    private static final int SQE_FLAGS = 1;
    private static final int SQE_IOPRIO = 2;
    private static final int SQE_FD = 4;
    private static final int SQE_OFF = 8;
    private static final int SQE_ADDR = 16;
    private static final int SQE_LEN = 24;
    private static final int SQE_OP_FLAGS = 28;
    private static final int SQE_USER_DATA = 32;
    private static final int SQE_SPLICE_FD_IN = 44;
    /** struct io_uring_cqe: 16 bytes. */
    public static final int CQE_SIZE = 16;
    private static final int CQE_USER_DATA = 0;
    private static final int CQE_RES = 8;
    private static final int CQE_FLAGS = 12;

    private static final long IORING_OFF_SQ_RING = 0L;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;

    /** Opcodes (enum io_uring_op). */
    public static final int OP_NOP = 0;
    /** IORING_OP_READV. */
    public static final int OP_READV = 1;
    /** IORING_OP_WRITEV. */
    public static final int OP_WRITEV = 2;
    /** IORING_OP_FSYNC. */
    public static final int OP_FSYNC = 3;
    /** IORING_OP_READ_FIXED. */
    public static final int OP_READ_FIXED = 4;
    /** IORING_OP_WRITE_FIXED. */
    public static final int OP_WRITE_FIXED = 5;
    /** IORING_OP_POLL_ADD. */
    public static final int OP_POLL_ADD = 6;
    /** IORING_OP_SENDMSG. */
    public static final int OP_SENDMSG = 9;
    /** IORING_OP_RECVMSG. */
    public static final int OP_RECVMSG = 10;
    /** IORING_OP_ACCEPT. */
    public static final int OP_ACCEPT = 13;
    /** IORING_OP_ASYNC_CANCEL. */
    public static final int OP_ASYNC_CANCEL = 14;
    /** IORING_OP_CONNECT. */
    public static final int OP_CONNECT = 16;
    /** IORING_OP_FALLOCATE. */
    public static final int OP_FALLOCATE = 17;
    /** IORING_OP_OPENAT. */
    public static final int OP_OPENAT = 18;
    /** IORING_OP_CLOSE. */
    public static final int OP_CLOSE = 19;
    /** IORING_OP_STATX. */
    public static final int OP_STATX = 21;
    /** IORING_OP_READ. */
    public static final int OP_READ = 22;
    /** IORING_OP_WRITE. */
    public static final int OP_WRITE = 23;
    /** IORING_OP_SEND. */
    public static final int OP_SEND = 26;
    /** IORING_OP_RECV. */
    public static final int OP_RECV = 27;
    /** IORING_OP_SPLICE. */
    public static final int OP_SPLICE = 30;
    /** IORING_OP_SHUTDOWN. */
    public static final int OP_SHUTDOWN = 34;
    /** IORING_OP_SEND_ZC. */
    public static final int OP_SEND_ZC = 47;
    /** IORING_OP_FTRUNCATE. */
    public static final int OP_FTRUNCATE = 55;
    /** CQE flag: more completions of this (multishot) request will follow. */
    public static final int CQE_F_MORE = 1 << 1;
    /** A CQE that notifies: the kernel is done with the request's buffer (zero-copy sends). */
    public static final int CQE_F_NOTIF = 1 << 3;
    /** CQE flag: the bytes went into a provided buffer, whose id is {@code flags >>> CQE_BUFFER_SHIFT}. */
    public static final int CQE_F_BUFFER = 1;
    /** Where a CQE's flags hold the provided buffer's id. */
    public static final int CQE_BUFFER_SHIFT = 16;
    /** SQE flag: the kernel takes the buffer from the request's buffer group (provided buffers). */
    public static final byte SQE_BUFFER_SELECT = 1 << 5;
    /** RECV ioprio flag: multishot (a completion per arrival, each in a provided buffer, until it fails). */
    private static final int RECV_MULTISHOT = 1 << 1;
    /** struct io_uring_sqe: buf_group (u16), the buffer group a BUFFER_SELECT request takes from. */
    private static final int SQE_BUF_GROUP = 40;
    /** POLL_ADD length flag: multishot (a completion per wake-up, until cancelled). */
    private static final int POLL_ADD_MULTI = 1;
    /** ACCEPT ioprio flag: multishot (a completion per connection, until cancelled). */
    private static final int ACCEPT_MULTISHOT = 1;
    /** ASYNC_CANCEL flag: every request that matches, not just the first. */
    public static final int ASYNC_CANCEL_ALL = 1;
    /** ASYNC_CANCEL flag: every request in the ring, whatever its user data. */
    public static final int ASYNC_CANCEL_ANY = 1 << 2;
    /** fsync_flags: fdatasync. */
    public static final int FSYNC_DATASYNC = 1;

    /** Setup flags. */
    public static final int SETUP_CQSIZE = 1 << 3;
    /** io_uring_setup(2) flag IORING_SETUP_CLAMP. */
    public static final int SETUP_CLAMP = 1 << 4;
    /** io_uring_setup(2) flag IORING_SETUP_SUBMIT_ALL. */
    public static final int SETUP_SUBMIT_ALL = 1 << 7;
    /** io_uring_setup(2) flag IORING_SETUP_COOP_TASKRUN. */
    public static final int SETUP_COOP_TASKRUN = 1 << 8;
    /** io_uring_setup(2) flag IORING_SETUP_SINGLE_ISSUER. */
    public static final int SETUP_SINGLE_ISSUER = 1 << 12;
    /** io_uring_setup(2) flag IORING_SETUP_DEFER_TASKRUN. */
    public static final int SETUP_DEFER_TASKRUN = 1 << 13;
    /** Feature: the SQ and CQ rings share one mapping. */
    public static final int FEAT_SINGLE_MMAP = 1;
    /** io_uring_enter flags. */
    public static final int ENTER_GETEVENTS = 1;
    /** io_uring_enter flag: the last argument is a struct io_uring_getevents_arg (with a timeout). */
    public static final int ENTER_EXT_ARG = 8;
    /** Bytes a thread needs for {@link #awaitCompletions}: struct io_uring_getevents_arg (24) and a timespec (16). */
    public static final int WAIT_SCRATCH_BYTES = 40;
    /** io_uring_register opcode: signal an eventfd whenever a CQE is posted. */
    private static final int REGISTER_EVENTFD = 4;
    private static final int REGISTER_PROBE = 8;
    /** io_uring_register opcodes: a ring of provided buffers, and its removal (Linux 5.19). */
    private static final int REGISTER_PBUF_RING = 22;
    private static final int UNREGISTER_PBUF_RING = 23;
    /** struct io_uring_buf_reg: ring_addr (u64), ring_entries (u32), bgid (u16), flags (u16), resv (3 x u64). */
    private static final int BUF_REG_SIZE = 40;
    /** struct io_uring_probe: last_op (u8), ops_len (u8), resv (u16), resv2 (3 x u32), then the ops. */
    private static final int PROBE_HEADER = 16;
    /** struct io_uring_probe_op: op (u8), resv (u8), flags (u16), resv2 (u32). */
    private static final int PROBE_OP_SIZE = 8;
    private static final int PROBE_OPS = 256;
    private static final int PROBE_OP_SUPPORTED = 1;

    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    /** Linux's one syscall(2) handle: io_uring's calls share it with setup's others (one generated class). */
    private static final MethodHandle SYSCALL6 = Linux.SYSCALL.H;
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final Arena arena;
    private final Errno errno;
    private final int fd;
    /** {@link #supports}'s answers, by opcode, once asked. */
    private boolean[] supported;
    private final int features;
    private final long ringAddress;
    private final long ringLength;
    private final long cqRingAddress;
    private final long cqRingLength;
    private final long sqesAddress;
    private final long sqesLength;
    private final MemorySegment sq;
    private final MemorySegment cq;
    private final MemorySegment sqes;
    private final int sqMask;
    private final int sqEntries;
    private final int cqMask;
    private final int cqEntries;
    private final long sqHead;
    private final long sqTail;
    private final long sqFlags;
    private final long sqArray;
    private final long cqHead;
    private final long cqTail;
    private final long cqOverflow;
    private final long cqes;
    /** SQEs written since the last publish, not yet visible to the kernel. */
    private int sqLocalTail;
    private boolean closed;

    private IoUring(final Arena arena, final Errno errno, final int fd, final MemorySegment params) {
        this.arena = arena;
        this.errno = errno;
        this.fd = fd;
        this.features = params.get(JAVA_INT, P_FEATURES);
        final int sqRingEntries = params.get(JAVA_INT, P_SQ_ENTRIES);
        final int cqRingEntries = params.get(JAVA_INT, P_CQ_ENTRIES);
        final long sqRingBytes = params.get(JAVA_INT, P_SQ_OFF + SQ_ARRAY) + 4L * sqRingEntries;
        final long cqRingBytes = params.get(JAVA_INT, P_CQ_OFF + CQ_CQES) + (long) CQE_SIZE * cqRingEntries;
        final boolean single = (features & FEAT_SINGLE_MMAP) != 0;
        this.ringLength = single ? Math.max(sqRingBytes, cqRingBytes) : sqRingBytes;
        this.ringAddress = map(ringLength, IORING_OFF_SQ_RING);
        long cqAddress = ringAddress;
        long cqLength = 0;
        long sqesAt = 0;
        try {
            if (!single) {
                cqLength = cqRingBytes;
                cqAddress = map(cqLength, IORING_OFF_CQ_RING);
            }
            this.sqesLength = (long) SQE_SIZE * sqRingEntries;
            sqesAt = map(sqesLength, IORING_OFF_SQES);
        } catch (final IllegalStateException e) {
            unmap(ringAddress, ringLength);
            if (cqLength > 0 && cqAddress != ringAddress) {
                unmap(cqAddress, cqLength);
            }
            throw e;
        }
        this.cqRingAddress = cqAddress;
        this.cqRingLength = cqLength;
        this.sqesAddress = sqesAt;
        this.sq = MemorySegment.ofAddress(ringAddress).reinterpret(ringLength);
        this.cq = MemorySegment.ofAddress(cqAddress).reinterpret(single ? ringLength : cqLength);
        this.sqes = MemorySegment.ofAddress(sqesAt).reinterpret(sqesLength);
        this.sqHead = params.get(JAVA_INT, P_SQ_OFF + SQ_HEAD);
        this.sqTail = params.get(JAVA_INT, P_SQ_OFF + SQ_TAIL);
        this.sqFlags = params.get(JAVA_INT, P_SQ_OFF + SQ_FLAGS);
        this.sqArray = params.get(JAVA_INT, P_SQ_OFF + SQ_ARRAY);
        this.sqMask = sq.get(JAVA_INT, params.get(JAVA_INT, P_SQ_OFF + SQ_RING_MASK));
        this.sqEntries = sq.get(JAVA_INT, params.get(JAVA_INT, P_SQ_OFF + SQ_RING_ENTRIES));
        this.cqHead = params.get(JAVA_INT, P_CQ_OFF + CQ_HEAD);
        this.cqTail = params.get(JAVA_INT, P_CQ_OFF + CQ_TAIL);
        this.cqOverflow = params.get(JAVA_INT, P_CQ_OFF + CQ_OVERFLOW);
        this.cqes = params.get(JAVA_INT, P_CQ_OFF + CQ_CQES);
        this.cqMask = cq.get(JAVA_INT, params.get(JAVA_INT, P_CQ_OFF + CQ_RING_MASK));
        this.cqEntries = cq.get(JAVA_INT, params.get(JAVA_INT, P_CQ_OFF + CQ_RING_ENTRIES));
        // The SQ array maps ring slots to SQE indexes; keep it the identity, as liburing does.
        for (int i = 0; i < sqEntries; i++) {
            sq.set(JAVA_INT, sqArray + 4L * i, i);
        }
        this.sqLocalTail = (int) INT.getAcquire(sq, sqTail);
    }

    /**
     * {@code io_uring_setup}: a ring of {@code entries} submission entries (rounded up to a power of two by the
     * kernel), mapped into this process.
     *
     * @param entries submission queue entries
     * @param flags   IORING_SETUP_* flags
     * @return the instance
     * @throws IoUringException with the errno (ENOSYS: no io_uring; EPERM: disabled by sysctl or seccomp; EINVAL: a
     *         flag this kernel lacks) when it cannot be made
     */
    public static IoUring setup(final int entries, final int flags) {
        return setup(entries, flags, 0);
    }

    /**
     * {@code io_uring_setup} with a completion queue of its own size (give {@link #SETUP_CQSIZE} in {@code flags}).
     *
     * @param entries   submission queue entries
     * @param flags     IORING_SETUP_* flags
     * @param cqEntries completion queue entries, with SETUP_CQSIZE (rounded up to a power of two; with
     *                  SETUP_CLAMP, clamped to the kernel's limit)
     * @return the instance
     * @throws IoUringException as {@link #setup(int, int)}
     */
    public static IoUring setup(final int entries, final int flags, final int cqEntries) {
        final Arena arena = Arena.ofShared();
        final Errno errno = new Errno(arena);
        final MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
        params.set(JAVA_INT, P_FLAGS, flags);
        params.set(JAVA_INT, P_CQ_ENTRIES, cqEntries);
        final long fd = syscall3(errno, Arch.current().sysIoUringSetup, entries, params.address(), 0);
        if (fd < 0) {
            arena.close();
            throw new IoUringException("io_uring_setup(" + entries + ", flags 0x" + Integer.toHexString(flags) + ")",
                (int) -fd);
        }
        try {
            return new IoUring(arena, errno, (int) fd, params);
        } catch (final RuntimeException e) {
            Linux.close(errno, (int) fd);
            arena.close();
            throw e;
        }
    }

    /** {@return the ring's file descriptor} */
    public int fd() {
        return fd;
    }

    /** {@return the IORING_FEAT_* bits the kernel reported} */
    public int features() {
        return features;
    }

    /** {@return submission queue entries} */
    public int sqEntries() {
        return sqEntries;
    }

    /** {@return completion queue entries} */
    public int cqEntries() {
        return cqEntries;
    }

    /** {@return SQEs written but not yet submitted, plus those the kernel has not consumed} */
    public int sqPending() {
        return sqLocalTail - (int) INT.getAcquire(sq, sqHead);
    }

    /** {@return free SQE slots} */
    public int sqSpace() {
        return sqEntries - sqPending();
    }

    /**
     * The thin writer every {@code prep*} uses (liburing's {@code io_uring_prep_rw}): takes the next SQE, zeroes it
     * and fills the common fields. The SQE becomes visible to the kernel at the next {@link #submit}.
     *
     * @param opcode the opcode
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @param opFlags the opcode's own flags (the iocb's op_flags)
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (submit, then retry)
     */
    public boolean prepRw(final int opcode, final int fd, final long address, final int length, final long offset,
                          final int opFlags, final long userData) {
        if (sqSpace() <= 0) {
            return false;
        }
        final long sqe = (long) (sqLocalTail & sqMask) * SQE_SIZE;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.set(JAVA_LONG, sqe + i, 0L);
        }
        sqes.set(JAVA_BYTE, sqe + SQE_OPCODE, (byte) opcode);
        sqes.set(JAVA_BYTE, sqe + SQE_FLAGS, (byte) 0);
        sqes.set(JAVA_SHORT, sqe + SQE_IOPRIO, (short) 0);
        sqes.set(JAVA_INT, sqe + SQE_FD, fd);
        sqes.set(JAVA_LONG, sqe + SQE_OFF, offset);
        sqes.set(JAVA_LONG, sqe + SQE_ADDR, address);
        sqes.set(JAVA_INT, sqe + SQE_LEN, length);
        sqes.set(JAVA_INT, sqe + SQE_OP_FLAGS, opFlags);
        sqes.set(JAVA_LONG, sqe + SQE_USER_DATA, userData);
        sqLocalTail++;
        return true;
    }

    /**
     * NOP. @return false if the submission queue is full
     *
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepNop(final long userData) {
        return prepRw(OP_NOP, -1, 0, 0, 0, 0, userData);
    }

    /**
     * READ: read(2) at an offset into one buffer. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param buffer the buffer's address
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepRead(final int fd, final long buffer, final int length, final long offset, final long userData) {
        return prepRw(OP_READ, fd, buffer, length, offset, 0, userData);
    }

    /**
     * WRITE: write(2) at an offset from one buffer. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param buffer the buffer's address
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepWrite(final int fd, final long buffer, final int length, final long offset, final long userData) {
        return prepRw(OP_WRITE, fd, buffer, length, offset, 0, userData);
    }

    /**
     * READV with RWF_* flags (preadv2). @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param iovecs the address of the iovec array
     * @param count how many
     * @param offset the byte offset in the file
     * @param rwFlags RWF_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepReadv(final int fd, final long iovecs, final int count, final long offset, final int rwFlags,
                             final long userData) {
        return prepRw(OP_READV, fd, iovecs, count, offset, rwFlags, userData);
    }

    /**
     * WRITEV with RWF_* flags (pwritev2). @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param iovecs the address of the iovec array
     * @param count how many
     * @param offset the byte offset in the file
     * @param rwFlags RWF_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepWritev(final int fd, final long iovecs, final int count, final long offset, final int rwFlags,
                              final long userData) {
        return prepRw(OP_WRITEV, fd, iovecs, count, offset, rwFlags, userData);
    }

    /**
     * FSYNC; with {@link #FSYNC_DATASYNC}, fdatasync. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param userData copied into the completion untouched
     * @param fsyncFlags 0, or {@link #FSYNC_DATASYNC}
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepFsync(final int fd, final int fsyncFlags, final long userData) {
        return prepRw(OP_FSYNC, fd, 0, 0, 0, fsyncFlags, userData);
    }

    /**
     * RECV: recv(2) into one buffer, {@code msgFlags} as MSG_*. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param buffer the buffer's address
     * @param length the length in bytes
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepRecv(final int fd, final long buffer, final int length, final int msgFlags, final long userData) {
        return prepRw(OP_RECV, fd, buffer, length, 0, msgFlags, userData);
    }

    /**
     * RECV into a buffer the kernel takes from buffer group {@code group} when bytes arrive (IOSQE_BUFFER_SELECT): the
     * CQE carries {@link #CQE_F_BUFFER} and the buffer's id in its flags' high 16 bits. With {@code multishot}
     * (Linux 6.0) the request stays armed, one CQE per arrival flagged {@link #CQE_F_MORE}, until it fails: when the
     * group has no buffer left it ends with -ENOBUFS, no byte taken from the socket.
     *
     * @param fd        the socket
     * @param group     the buffer group ({@link BufferRing#group()})
     * @param msgFlags  MSG_* flags
     * @param multishot stay armed after each arrival
     * @param userData  copied into every completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepRecvSelect(final int fd, final int group, final int msgFlags, final boolean multishot,
                                  final long userData) {
        if (!prepRw(OP_RECV, fd, 0, 0, 0, msgFlags, userData)) {
            return false;
        }
        final long sqe = lastSqe();
        sqes.set(JAVA_BYTE, sqe + SQE_FLAGS, SQE_BUFFER_SELECT);
        sqes.set(JAVA_SHORT, sqe + SQE_IOPRIO, (short) (multishot ? RECV_MULTISHOT : 0));
        sqes.set(JAVA_SHORT, sqe + SQE_BUF_GROUP, (short) group);
        return true;
    }

    /**
     * SEND: send(2) from one buffer, {@code msgFlags} as MSG_*. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param buffer the buffer's address
     * @param length the length in bytes
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepSend(final int fd, final long buffer, final int length, final int msgFlags, final long userData) {
        return prepRw(OP_SEND, fd, buffer, length, 0, msgFlags, userData);
    }

    /**
     * RECVMSG: recvmsg(2) with a struct msghdr. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param msghdr the address of a struct msghdr
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepRecvmsg(final int fd, final long msghdr, final int msgFlags, final long userData) {
        return prepRw(OP_RECVMSG, fd, msghdr, 1, 0, msgFlags, userData);
    }

    /** SENDMSG: sendmsg(2) with a struct msghdr. @return false if the submission queue is full */
    /**
     * IORING_OP_SEND_ZC: a send from the buffer itself. Its first CQE carries the result and {@link #CQE_F_MORE}
     * when a notification follows; that one ({@link #CQE_F_NOTIF}) says the kernel is done with the buffer.
     *
     * @param fd the file descriptor
     * @param buffer the buffer's address
     * @param length the length in bytes
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepSendZc(final int fd, final long buffer, final int length, final int msgFlags, final long userData) {
        return prepRw(OP_SEND_ZC, fd, buffer, length, 0, msgFlags, userData);
    }

    /**
     * SENDMSG: sends the message the struct msghdr at {@code msghdr} describes.
     *
     * @param fd       the socket
     * @param msghdr   the address of a struct msghdr
     * @param msgFlags MSG_* flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepSendmsg(final int fd, final long msghdr, final int msgFlags, final long userData) {
        return prepRw(OP_SENDMSG, fd, msghdr, 1, 0, msgFlags, userData);
    }

    /**
     * ACCEPT: accept4(2) with {@code flags} (SOCK_*) for the new socket, the peer address not asked for.
     *
     * @param multishot one completion per connection (each flagged {@link #CQE_F_MORE}) until cancelled or failed
     * @param fd the file descriptor
     * @param flags the call's flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full
     */
    public boolean prepAccept(final int fd, final int flags, final boolean multishot, final long userData) {
        if (!prepRw(OP_ACCEPT, fd, 0, 0, 0, flags, userData)) {
            return false;
        }
        sqes.set(JAVA_SHORT, lastSqe() + SQE_IOPRIO, (short) (multishot ? ACCEPT_MULTISHOT : 0));
        return true;
    }

    /**
     * CONNECT: connect(2) to the sockaddr at {@code address}. @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param userData copied into the completion untouched
     * @param addressLength the sockaddr's length in bytes
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepConnect(final int fd, final long address, final int addressLength, final long userData) {
        return prepRw(OP_CONNECT, fd, address, 0, addressLength, 0, userData);
    }

    /**
     * SHUTDOWN: shutdown(2). @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepShutdown(final int fd, final int how, final long userData) {
        return prepRw(OP_SHUTDOWN, fd, 0, how, 0, 0, userData);
    }

    /**
     * POLL_ADD: completes with the poll events ready (POLL* bits of {@code events}, plus POLLERR/POLLHUP).
     *
     * @param multishot one completion per wake-up (each flagged {@link #CQE_F_MORE}) until cancelled
     * @param fd the file descriptor
     * @param events the POLL* events to wait for
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full
     */
    public boolean prepPollAdd(final int fd, final int events, final boolean multishot, final long userData) {
        return prepRw(OP_POLL_ADD, fd, 0, multishot ? POLL_ADD_MULTI : 0, 0, events, userData);
    }

    /**
     * ASYNC_CANCEL: cancels the request(s) whose user data is {@code target}; its own completion says 0 (found and
     * cancelled), -ENOENT (none), -EALREADY (running, and cannot be stopped), or with {@link #ASYNC_CANCEL_ALL} the
     * number cancelled.
     *
     * @param flags the call's flags
     * @param userData copied into the completion untouched
     * @param target the user data of the request to cancel
     * @return false if the submission queue is full
     */
    public boolean prepCancel(final long target, final int flags, final long userData) {
        return prepRw(OP_ASYNC_CANCEL, -1, target, 0, 0, flags, userData);
    }

    /**
     * STATX: statx(2) into {@link Linux#STATX_SIZE} bytes at {@code statxbuf}. @return false if the SQ is full
     *
     * @param dirfd the directory descriptor, or AT_FDCWD
     * @param path the address of a NUL-terminated path
     * @param flags the call's flags
     * @param mask the STATX_* fields wanted
     * @param statxbuf the address of a struct statx to fill
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepStatx(final int dirfd, final long path, final int flags, final int mask, final long statxbuf,
                             final long userData) {
        return prepRw(OP_STATX, dirfd, path, mask, statxbuf, flags, userData);
    }

    /**
     * FALLOCATE: fallocate(2). @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param mode FALLOC_FL_* mode (0: allocate)
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepFallocate(final int fd, final int mode, final long offset, final long length, final long userData) {
        return prepRw(OP_FALLOCATE, fd, length, mode, offset, 0, userData);
    }

    /**
     * FTRUNCATE: ftruncate(2) (Linux 6.9). @return false if the submission queue is full
     *
     * @param fd the file descriptor
     * @param length the length in bytes
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full (nothing written)
     */
    public boolean prepFtruncate(final int fd, final long length, final long userData) {
        return prepRw(OP_FTRUNCATE, fd, 0, 0, length, 0, userData);
    }

    /**
     * SPLICE: splice(2); an offset of -1 means "none" (the fd's own position, as for a pipe or a socket).
     *
     * @param fdIn the descriptor read from
     * @param offIn the offset in fdIn (-1: its file position)
     * @param fdOut the descriptor written to
     * @param offOut the offset in fdOut (-1: its file position)
     * @param length the length in bytes
     * @param flags the call's flags
     * @param userData copied into the completion untouched
     * @return false if the submission queue is full
     */
    public boolean prepSplice(final int fdIn, final long offIn, final int fdOut, final long offOut, final int length,
                              final int flags, final long userData) {
        if (!prepRw(OP_SPLICE, fdOut, offIn, length, offOut, flags, userData)) {
            return false;
        }
        sqes.set(JAVA_INT, lastSqe() + SQE_SPLICE_FD_IN, fdIn);
        return true;
    }

    /** SQE flag: issue the request from io_uring's own workers (io-wq), never inline in io_uring_enter. */
    public static final byte SQE_ASYNC = 1 << 4;

    /**
     * Sets the flags of the SQE the last successful prep wrote, as liburing's {@code io_uring_sqe_set_flags}.
     *
     * @param flags SQE flags, e.g. {@link #SQE_ASYNC}
     * @return true, so that it chains after a prep with {@code &&}
     */
    public boolean setLastSqeFlags(final byte flags) {
        sqes.set(JAVA_BYTE, lastSqe() + SQE_FLAGS, flags);
        return true;
    }

    /** @return the byte offset of the SQE the last successful prep wrote */
    private long lastSqe() {
        return (long) ((sqLocalTail - 1) & sqMask) * SQE_SIZE;
    }

    /**
     * Publishes the SQEs written since the last call and enters the kernel.
     *
     * @param minComplete wait until at least this many completions are in the CQ (0: do not wait)
     * @return SQEs the kernel consumed, or -errno
     */
    public int submit(final int minComplete) {
        INT.setRelease(sq, sqTail, sqLocalTail);
        // Every SQE the kernel has not consumed, not only those published now: without IORING_SETUP_SUBMIT_ALL the
        // kernel stops at an SQE whose prep fails (it completes that one with the error) and leaves the rest in the
        // SQ, already published; counting only new ones would never hand them over.
        final int toSubmit = sqLocalTail - (int) INT.getAcquire(sq, sqHead);
        return enter(toSubmit, minComplete, minComplete > 0 ? ENTER_GETEVENTS : 0);
    }

    /**
     * Hands the kernel at most {@code max} of the prepared SQEs, oldest first, in one {@code io_uring_enter}; the rest
     * stay prepared for the next call.
     *
     * @param max at most this many
     * @return SQEs consumed, or -errno as {@link #enter}
     */
    public int submitAtMost(final int max) {
        final int published = (int) INT.getAcquire(sq, sqTail);
        final int consumed = (int) INT.getAcquire(sq, sqHead);
        // As submit: SQEs published earlier and left unconsumed (a failed prep stopped the kernel) come first.
        final int newTail = published + Math.max(0, Math.min(max - (published - consumed), sqLocalTail - published));
        INT.setRelease(sq, sqTail, newTail);
        return enter(newTail - consumed, 0, 0);
    }

    /**
     * {@code io_uring_enter}.
     *
     * @param toSubmit how many SQEs to submit
     * @param minComplete wait until at least this many completions are in the CQ (0: do not wait)
     * @param flags the call's flags
     * @return SQEs consumed, or -errno (-EINTR, -EBUSY when the CQ is overflowing, -EAGAIN...)
     */
    public int enter(final int toSubmit, final int minComplete, final int flags) {
        try {
            final long r = (long) SYSCALL6.invokeExact(errno.state, Arch.current().sysIoUringEnter, (long) fd, (long) toSubmit,
                (long) minComplete, (long) flags, 0L, 0L);
            return (int) (r == -1 ? -errno.errno() : r);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    /**
     * Registers an eventfd that the kernel signals whenever it posts a CQE (IORING_REGISTER_EVENTFD), so that a
     * thread can sleep in read(2) or epoll until completions arrive.
     *
     * @param eventfd the eventfd
     * @return 0, or -errno
     */
    /**
     * Whether this kernel's io_uring takes {@code opcode} (IORING_REGISTER_PROBE, Linux 5.6), asked once and kept.
     *
     * @param opcode the opcode
     * @return true if the probe says the opcode is supported
     */
    public synchronized boolean supports(final int opcode) {
        if (supported == null) {
            supported = new boolean[PROBE_OPS];
            final MemorySegment probe = arena.allocate(PROBE_HEADER + PROBE_OPS * PROBE_OP_SIZE, 8);
            try {
                final long r = (long) SYSCALL6.invokeExact(errno.state, Arch.current().sysIoUringRegister, (long) fd,
                    (long) REGISTER_PROBE, probe.address(), (long) PROBE_OPS, 0L, 0L);
                if (r >= 0) {
                    final int count = Math.min(PROBE_OPS, probe.get(JAVA_BYTE, 1) & 0xFF); // ops_len
                    for (int i = 0; i < count; i++) {
                        final long at = PROBE_HEADER + (long) i * PROBE_OP_SIZE;
                        final int op = probe.get(JAVA_BYTE, at) & 0xFF;
                        final int flags = probe.get(JAVA_SHORT, at + 2) & 0xFFFF;
                        supported[op] = (flags & PROBE_OP_SUPPORTED) != 0;
                    }
                }
            } catch (final Throwable t) {
                throw Linux.unexpected(t);
            }
        }
        return opcode >= 0 && opcode < PROBE_OPS && supported[opcode];
    }

    /**
     * IORING_REGISTER_EVENTFD: the kernel signals {@code eventfd} for every CQE it posts.
     *
     * @param eventfd the eventfd
     * @return 0, or -errno
     */
    public int registerEventfd(final int eventfd) {
        final MemorySegment arg = arena.allocate(4, 4);
        arg.set(JAVA_INT, 0, eventfd);
        return register(REGISTER_EVENTFD, arg.address(), 1);
    }

    /**
     * IORING_REGISTER_PBUF_RING: the ring of {@code entries} buffer descriptors at {@code ringAddress} becomes buffer
     * group {@code group}; the kernel pins its memory until {@link #unregisterBufferRing}.
     *
     * @param ringAddress page-aligned memory of {@code entries} x 16 bytes, zeroed
     * @param entries     a power of two, at most 32768
     * @param group       the buffer group's id
     * @return 0, or -errno (EINVAL: not a power of two, not aligned, or a kernel before 5.19; EEXIST: the group is
     *         taken)
     */
    public int registerBufferRing(final long ringAddress, final int entries, final int group) {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment reg = scratch.allocate(BUF_REG_SIZE, 8);
            reg.set(JAVA_LONG, 0, ringAddress);
            reg.set(JAVA_INT, 8, entries);
            reg.set(JAVA_SHORT, 12, (short) group);
            return register(REGISTER_PBUF_RING, reg.address(), 1);
        }
    }

    /**
     * IORING_UNREGISTER_PBUF_RING: buffer group {@code group} is gone; the kernel unpins its ring.
     *
     * @param group the buffer group's id
     * @return 0, or -errno (EINVAL: no such group)
     */
    public int unregisterBufferRing(final int group) {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment reg = scratch.allocate(BUF_REG_SIZE, 8);
            reg.set(JAVA_SHORT, 12, (short) group);
            return register(UNREGISTER_PBUF_RING, reg.address(), 1);
        }
    }

    private int register(final int opcode, final long argument, final int count) {
        try {
            final long r = (long) SYSCALL6.invokeExact(errno.state, Arch.current().sysIoUringRegister, (long) fd,
                (long) opcode, argument, (long) count, 0L, 0L);
            return (int) (r == -1 ? -errno.errno() : r);
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    /**
     * Sleeps in the kernel until at least one completion is in the CQ, or {@code timeoutNanos} pass (io_uring_enter
     * with GETEVENTS and a timeout, IORING_ENTER_EXT_ARG). While it sleeps, the kernel runs the calling thread's
     * pending completion work, so a completion owed to this thread is posted at once. Submits nothing; any number
     * of threads may wait at once.
     *
     * @param callerErrno  the calling thread's errno capture
     * @param scratch      {@link #WAIT_SCRATCH_BYTES} bytes of native memory of the calling thread's own
     * @param timeoutNanos the longest sleep
     * @return 0 when a completion is there, -ETIME on timeout, -EINTR, or another -errno
     */
    public int awaitCompletions(final Errno callerErrno, final MemorySegment scratch, final long timeoutNanos) {
        final long ts = scratch.address() + 24;
        scratch.set(JAVA_LONG, 0, 0L);                 // sigmask: none
        scratch.set(JAVA_INT, 8, 0);                   // sigmask_sz
        scratch.set(JAVA_INT, 12, 0);                  // pad / min_wait_usec
        scratch.set(JAVA_LONG, 16, ts);                // ts
        scratch.set(JAVA_LONG, 24, timeoutNanos / 1_000_000_000L);
        scratch.set(JAVA_LONG, 32, timeoutNanos % 1_000_000_000L);
        try {
            final long r = (long) SYSCALL6.invokeExact(callerErrno.state, Arch.current().sysIoUringEnter, (long) fd, 0L, 1L,
                (long) (ENTER_GETEVENTS | ENTER_EXT_ARG), scratch.address(), 24L);
            return (int) (r == -1 ? -callerErrno.errno() : Math.min(r, 0));
        } catch (final Throwable t) {
            throw Linux.unexpected(t);
        }
    }

    /** {@return true if the CQ holds completions not yet reaped} */
    public boolean cqReady() {
        return (int) INT.getAcquire(cq, cqTail) != (int) INT.getAcquire(cq, cqHead);
    }

    /** Receives completion queue entries. */
    @FunctionalInterface
    public interface CqeHandler {
        /**
         * One CQE: its user data, its result (bytes or -errno) and its IORING_CQE_F_* flags.
         *
         * @param userData copied into the completion untouched
         * @param result bytes or a value, or -errno
         * @param flags the call's flags
         */
        void onCqe(long userData, int result, int flags);
    }

    /**
     * Hands every CQE now in the completion queue to {@code handler} and releases them to the kernel.
     *
     * @param handler receives each one
     * @return CQEs handed over
     * @throws IllegalStateException if the kernel's CQ tail is more than the ring's size ahead of head (impossible
     *         unless the mapping was written by someone else)
     */
    public int reap(final CqeHandler handler) {
        final int head = (int) INT.getAcquire(cq, cqHead);
        final int tail = (int) INT.getAcquire(cq, cqTail);
        final int ready = tail - head;
        if (ready < 0 || ready > cqEntries) {
            throw new IllegalStateException("io_uring CQ: tail " + Integer.toUnsignedString(tail) + " is "
                + ready + " entries from head " + Integer.toUnsignedString(head) + " (ring of " + cqEntries + ")");
        }
        int position = head;
        try {
            for (; position != tail; position++) {
                final long cqe = cqes + (long) (position & cqMask) * CQE_SIZE;
                handler.onCqe(cq.get(JAVA_LONG, cqe + CQE_USER_DATA), cq.get(JAVA_INT, cqe + CQE_RES),
                    cq.get(JAVA_INT, cqe + CQE_FLAGS));
            }
        } finally {
            INT.setRelease(cq, cqHead, position);
        }
        return position - head;
    }

    /** {@return completions the kernel dropped because the CQ was full (only on kernels without NODROP)} */
    public int cqOverflow() {
        return (int) INT.getAcquire(cq, cqOverflow);
    }

    /** {@return the SQ ring's flags word (IORING_SQ_NEED_WAKEUP, IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN)} */
    public int sqFlags() {
        return (int) INT.getAcquire(sq, sqFlags);
    }

    /** Unmaps the rings and closes the descriptor; in-flight requests are cancelled by the kernel. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmap(sqesAddress, sqesLength);
        if (cqRingLength > 0) {
            unmap(cqRingAddress, cqRingLength);
        }
        unmap(ringAddress, ringLength);
        Linux.close(errno, fd);
        arena.close();
    }

    private long map(final long length, final long offset) {
        final long address = Linux.mmap(errno, 0L, length, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, offset);
        if (address < 0) {
            throw new IoUringException("mmap of the io_uring ring at offset 0x" + Long.toHexString(offset), (int) -address);
        }
        return address;
    }

    private void unmap(final long address, final long length) {
        final int r = Linux.munmap(errno, address, length);
        assert r == 0;
    }

    private static long syscall3(final Errno errno, final long number, final long a, final long b, final long c) {
        return Linux.syscall(errno, number, a, b, c, 0, 0, 0);
    }
}
