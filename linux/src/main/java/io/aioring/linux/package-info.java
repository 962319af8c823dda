/**
 * The platform at the bottom of aioring: the Linux calls it makes, through the FFM API (no JNI, no native
 * library to install), each returning the kernel's result or {@code -errno}; every errno by name; the facts that
 * differ between x86-64 and aarch64 ({@link io.aioring.linux.Arch}); handing a descriptor to another process
 * (SCM_RIGHTS); futex waits on shared words; io_uring, its rings mapped and driven directly
 * ({@link io.aioring.linux.IoUring}); and the JVM flags and child-JVM launcher that aioring's own
 * processes use. Knows nothing of rings or I/O contexts.
 */
package io.aioring.linux;
