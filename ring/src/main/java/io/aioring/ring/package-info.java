/**
 * The shared-memory byte ring, knowing nothing of I/O: its header ({@link io.aioring.ring.RingDescriptor}), a ring
 * over a file mapping that several processes share ({@link io.aioring.ring.RingFile}), the one producer
 * ({@link io.aioring.ring.RingProducer}), reapers that take records by compare-and-set from any number of threads
 * and processes ({@link io.aioring.ring.RingReaper}), an observer that watches without taking
 * ({@link io.aioring.ring.RingObserver}), and the one "reap until" loop ({@link io.aioring.ring.ReapLoop}). Every
 * word read from shared memory is checked before use.
 */
package io.aioring.ring;
