/**
 * The binary formats, every byte offset defined once (docs/abi.md describes each): the io_setup2 block, the iocb
 * and its attribute requests, the event and its attribute return records, the context's words in the ring
 * header, and the alignment they share ({@link io.aioring.abi.layout.Layout}). {@link io.aioring.abi.layout.ContextArea}
 * is the only code that reads or writes the context's words.
 */
package io.aioring.abi.layout;
