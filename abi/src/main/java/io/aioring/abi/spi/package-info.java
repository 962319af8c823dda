/**
 * The attribute SPI: what a per-I/O attribute implements ({@link io.aioring.abi.spi.AioAttribute}, or
 * {@link io.aioring.abi.spi.AbstractAttribute}), what it sees of the I/O it runs around
 * ({@link io.aioring.abi.spi.Operation}), what a read's RWF_NOWAIT attempt says of the page cache
 * ({@link io.aioring.abi.spi.PageCacheReading}), and the registry that finds attributes through
 * {@link java.util.ServiceLoader} and checks them ({@link io.aioring.abi.spi.AttributeRegistry}).
 */
package io.aioring.abi.spi;
