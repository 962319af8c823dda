/**
 * The public API of an asynchronous I/O context: {@code io_setup2} and its parameters
 * ({@link io.aioring.abi.AioContext}, {@link io.aioring.abi.SetupParams}), writing iocbs
 * ({@link io.aioring.abi.IocbWriter}, {@link io.aioring.abi.Opcode}), reading events
 * ({@link io.aioring.abi.EventView}), reaping from another process ({@link io.aioring.abi.ContextReaper}), what
 * the build supports ({@link io.aioring.abi.Probe}), and the errors each step names. The binary formats are in
 * {@code layout}, the attribute SPI in {@code spi}; the engine behind them ({@code engine}) is not part of the API.
 */
package io.aioring.abi;
