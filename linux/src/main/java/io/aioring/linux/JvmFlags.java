package io.aioring.linux;

import java.util.List;

/**
 * The flags every JVM that runs aioring needs, named once: Agrona reaches {@code jdk.internal.misc.Unsafe}, and
 * the Linux calls are FFM downcalls, which are restricted methods. The build (the {@code aioring.jvm.flags}
 * property) and the scripts ({@code scripts/find-jdk.sh}) say the same; a test in the docs module checks that
 * all three agree.
 */
public final class JvmFlags {
    /** The option that exports a JDK-internal package. */
    public static final String ADD_EXPORTS = "--add-exports";
    /** Its argument: Agrona's Unsafe, for code on the class path. */
    public static final String UNSAFE_EXPORT = "java.base/jdk.internal.misc=ALL-UNNAMED";
    /** FFM downcalls from code on the class path, without a warning. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** The flags, one argument each, as a JVM's command line takes them (constants, so annotations can use them). */
    public static final List<String> REQUIRED = List.of(ADD_EXPORTS, UNSAFE_EXPORT, NATIVE_ACCESS);

    private JvmFlags() {
    }

    /**
     * Fails with one line naming the flag when the JVM was started without the export Agrona's Unsafe needs (it would
     * otherwise surface as an IllegalAccessError deep in a stack trace). FFM without {@link #NATIVE_ACCESS} only warns.
     *
     * @throws IllegalStateException naming the missing flag and the whole set
     */
    public static void require() {
        if (!Object.class.getModule().isExported("jdk.internal.misc", JvmFlags.class.getModule())) {
            throw new IllegalStateException("aioring needs the JVM flag " + ADD_EXPORTS + " " + UNSAFE_EXPORT
                + " (Agrona's Unsafe); start java with: " + line());
        }
    }

    /** {@return the flags as one line, separated by spaces} */
    public static String line() {
        return String.join(" ", REQUIRED);
    }
}
