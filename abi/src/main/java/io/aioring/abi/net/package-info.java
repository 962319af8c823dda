/**
 * Sockets for iocbs without hand-built structs: {@link io.aioring.abi.net.Sockets} (socket, bind, listen, the
 * common options, addresses, shutdown) and {@link io.aioring.abi.net.SocketAddresses} ({@code InetSocketAddress}
 * to and from the kernel's sockaddr). The I/O itself — accept, connect, recv, send — is iocbs
 * ({@link io.aioring.abi.IocbWriter}); these are the calls made beside the ring.
 */
package io.aioring.abi.net;
