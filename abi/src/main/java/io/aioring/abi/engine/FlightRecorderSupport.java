package io.aioring.abi.engine;

/**
 * Whether this runtime has JDK Flight Recorder (module jdk.jfr): a jlink image may leave it out, and a context
 * must work there too, without its JFR events. Names no jdk.jfr type, so that checking it loads none.
 */
final class FlightRecorderSupport {
    /** True if jdk.jfr is in the boot layer; the engine touches its JFR classes only then. */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private FlightRecorderSupport() {
    }
}
