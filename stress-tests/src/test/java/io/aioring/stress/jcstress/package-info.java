/**
 * jcstress tests of the ring's and the context's concurrency protocols on the real classes: publish and reap,
 * two reapers racing for one record, the observer, and the tail-futex and eventfd wake-up handshakes. Run by
 * MemoryModelTest in jcstress's own harness.
 */
package io.aioring.stress.jcstress;
