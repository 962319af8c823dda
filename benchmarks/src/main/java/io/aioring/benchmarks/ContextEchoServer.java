package io.aioring.benchmarks;

/**
 * The echo server written with a context ({@link EchoBenchmark}'s: multishot accept, then recv, send, recv per
 * connection as iocbs, reaped by the server's own thread, no attributes), as a program of its own, so that the
 * external load generator of {@code benchmarks/nio-echo.sh} measures it beside Netty's. Prints the port it listens
 * on, then serves until killed.
 *
 * <pre>
 * java -cp benchmarks.jar io.aioring.benchmarks.ContextEchoServer io_uring|threads
 * </pre>
 */
public final class ContextEchoServer {
    private ContextEchoServer() {
    }

    public static void main(final String[] args) throws Exception {
        final EchoBenchmark.AioringEchoServer server = new EchoBenchmark.AioringEchoServer(args[0]);
        System.out.println("port " + server.port() + " context on " + args[0]);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
