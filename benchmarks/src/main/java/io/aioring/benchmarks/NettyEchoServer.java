package io.aioring.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The network anchor: an echo server as Netty's users write one, on Netty's io_uring transport or its NIO one,
 * one event-loop thread, pooled direct buffers (Netty's default), {@code TCP_NODELAY}. Each read is written back
 * and flushed at the end of the read burst. Prints the port it listens on, then serves until killed.
 *
 * <pre>
 * java -cp benchmarks.jar io.aioring.benchmarks.NettyEchoServer io_uring|nio THREADS
 * </pre>
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    public static void main(final String[] args) throws Exception {
        final boolean ioUring = args[0].equals("io_uring");
        final int threads = Integer.parseInt(args[1]);
        if (ioUring && !IoUring.isAvailable()) {
            throw new IllegalStateException("Netty's io_uring transport is unavailable", IoUring.unavailabilityCause());
        }
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
            ioUring ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory());
        final Class<? extends ServerChannel> type = ioUring ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
        final Channel server = new ServerBootstrap().group(group).channel(type)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new Echo())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        System.out.println("port " + ((InetSocketAddress) server.localAddress()).getPort() + " " + type.getName());
        System.out.flush();
        server.closeFuture().sync();
    }

    /** Writes back what it reads; flushes once per read burst. Stateless, so one is shared by every connection. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            ctx.close();
        }
    }
}
