package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.BATCH;
import static io.aioring.abi.engine.OpDef.IoUringRoute.COMPLETER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.READINESS;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER_THEN_READINESS;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;
import io.aioring.linux.Linux;

/**
 * Sockets: recv, send, recvmsg and sendmsg wait in the kernel from the submitter's batch on io_uring (no thread of
 * ours waits); accept and connect go from the completer. On threads they are tried at once and then wait on the
 * epoll thread; a connect is made by a worker (it answers -EINPROGRESS at once on a non-blocking socket, then waits
 * there). send and sendmsg add MSG_NOSIGNAL: a closed peer is -EPIPE, never a SIGPIPE.
 */
final class NetworkOps {
    static final OpDef RECV = OpDef.define(OpcodeDescriptor.RECV, BATCH, READINESS,
        (calls, op) -> calls.registered(op.address(), Integer.toUnsignedLong(op.lengthOrCount()))
            ? Linux.recv(calls.errno(), op.fd(), op.address(), Integer.toUnsignedLong(op.lengthOrCount()), op.opFlags())
            : -Errno.EFAULT,
        (ring, op, userData, noWait, arena) -> ring.prepRecv(op.fd(), op.address(), op.lengthOrCount(), op.opFlags(), userData))
        .withAttempt((calls, op, started) -> SyncCalls.readyOr(Linux.recv(calls.errno(), op.fd(), op.address(),
            Integer.toUnsignedLong(op.lengthOrCount()), op.opFlags() | Linux.MSG_DONTWAIT), op.opFlags()));
    static final OpDef SEND = OpDef.define(OpcodeDescriptor.SEND, BATCH, READINESS,
        (calls, op) -> calls.registered(op.address(), Integer.toUnsignedLong(op.lengthOrCount()))
            ? Linux.send(calls.errno(), op.fd(), op.address(), Integer.toUnsignedLong(op.lengthOrCount()),
                op.opFlags() | Linux.MSG_NOSIGNAL)
            : -Errno.EFAULT,
        (ring, op, userData, noWait, arena) -> ring.prepSend(op.fd(), op.address(), op.lengthOrCount(),
            op.opFlags() | Linux.MSG_NOSIGNAL, userData))
        .withAttempt((calls, op, started) -> SyncCalls.readyOr(Linux.send(calls.errno(), op.fd(), op.address(),
            Integer.toUnsignedLong(op.lengthOrCount()), op.opFlags() | Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL), op.opFlags()));
    static final OpDef ACCEPT = OpDef.define(OpcodeDescriptor.ACCEPT, COMPLETER, READINESS,
        (calls, op) -> Linux.accept4(calls.errno(), op.fd(), op.opFlags()),
        (ring, op, userData, noWait, arena) -> ring.prepAccept(op.fd(), op.opFlags(), op.multishot(), userData))
        // Checked readable first: on a listening socket without O_NONBLOCK, accept4 itself would block.
        .withAttempt((calls, op, started) -> {
            final long ready = calls.pollOnce(op.fd(), Linux.POLLIN, 0);
            return SyncCalls.readyOr(ready > 0 ? Linux.accept4(calls.errno(), op.fd(), op.opFlags())
                : ready == 0 ? -Errno.EAGAIN : ready, 0);
        })
        .withOpFlagsAllowed(Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC)
        .withCompletion(OpDef.Completion.MULTISHOT_DRAIN);
    static final OpDef CONNECT = OpDef.define(OpcodeDescriptor.CONNECT, COMPLETER, WORKER_THEN_READINESS,
        (calls, op) -> calls.registered(op.address(), Integer.toUnsignedLong(op.lengthOrCount()))
            ? Linux.connect(calls.errno(), op.fd(), op.address(), op.lengthOrCount()) : -Errno.EFAULT,
        (ring, op, userData, noWait, arena) -> ring.prepConnect(op.fd(), op.address(), op.lengthOrCount(), userData))
        // The connect itself answers -EINPROGRESS at once on a non-blocking socket; then its outcome is waited for.
        .withAttempt((calls, op, started) -> started ? SyncCalls.readyOr(calls.connectOutcome(op.fd()), 0) : calls.call(op));
    static final OpDef SHUTDOWN = OpDef.define(OpcodeDescriptor.SHUTDOWN, BATCH, WORKER,
        (calls, op) -> Linux.shutdown(calls.errno(), op.fd(), op.opFlags()),
        (ring, op, userData, noWait, arena) -> ring.prepShutdown(op.fd(), op.opFlags(), userData));
    static final OpDef RECVMSG = OpDef.define(OpcodeDescriptor.RECVMSG, BATCH, READINESS,
        (calls, op) -> calls.recvmsg(op, op.opFlags()),
        // The engine's checked copy of the msghdr, never the caller's (checked, then read again by the kernel).
        (ring, op, userData, noWait, arena) -> ring.prepRecvmsg(op.fd(), op.memory().msghdr(), op.opFlags(), userData))
        .withAttempt((calls, op, started) -> SyncCalls.readyOr(calls.recvmsg(op, op.opFlags() | Linux.MSG_DONTWAIT), op.opFlags()))
        // What the kernel wrote into the copy (msg_namelen, msg_controllen, msg_flags) goes back to the caller's.
        .withDone(op -> {
            if (op.result() >= 0) {
                op.memory().copyMsghdrBack(op.address());
            }
        });
    static final OpDef SENDMSG = OpDef.define(OpcodeDescriptor.SENDMSG, BATCH, READINESS,
        (calls, op) -> calls.sendmsg(op, op.opFlags()),
        (ring, op, userData, noWait, arena) -> ring.prepSendmsg(op.fd(), op.memory().msghdr(), op.opFlags() | Linux.MSG_NOSIGNAL,
            userData))
        .withAttempt((calls, op, started) -> SyncCalls.readyOr(calls.sendmsg(op, op.opFlags() | Linux.MSG_DONTWAIT), op.opFlags()));

    /**
     * Zero-copy where the kernel's io_uring has it: one event, once the kernel is done with the buffer (its
     * notification is folded in). Elsewhere, and on the threads backend, a plain send.
     */
    static final OpDef SEND_ZC = OpDef.define(OpcodeDescriptor.SEND_ZC, BATCH, READINESS, SEND.call(),
        (ring, op, userData, noWait, arena) -> ring.supports(IoUring.OP_SEND_ZC)
            ? ring.prepSendZc(op.fd(), op.address(), op.lengthOrCount(), op.opFlags() | Linux.MSG_NOSIGNAL, userData)
            : SEND.prep().prep(ring, op, userData, noWait, arena))
        .withAttempt(SEND.attempt())
        .withCompletion(OpDef.Completion.NOTIFICATION);

    private NetworkOps() {
    }
}
