package io.aioring.abi.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * Whether JDK Flight Recorder has started in this JVM: the engine's events ({@link FlightRecorderEvents}) are
 * looked up and registered only once it has. Registering them loads about 80 JFR classes (0.13 s of a first
 * setup in a fresh JVM); this listener loads 8, and the recorder calls it when a recording starts it — at start-up
 * ({@code -XX:StartFlightRecording}, called at once), by {@code jcmd JFR.start}, or from the program. Until then no
 * recording can want an event, so none is made. Reached only when {@link FlightRecorderSupport#AVAILABLE}.
 */
final class FlightRecorderGate {
    /** Live contexts, each with its totals at its previous statistics event (the recorder's periodic thread only). */
    static final Map<Engine, Previous> LIVE = new ConcurrentHashMap<>();

    private static volatile boolean started;

    static final class Previous {
        long nanos = System.nanoTime();
        long completed;
        long bytes;
    }

    static {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(final FlightRecorder recorder) {
                FlightRecorderEvents.register();
                started = true;
            }
        });
    }

    private FlightRecorderGate() {
    }

    /** @return true once the recorder has started (a recording may want the engine's events) */
    static boolean started() {
        return started;
    }

    static void live(final Engine engine) {
        LIVE.put(engine, new Previous());
    }

    static void gone(final Engine engine) {
        LIVE.remove(engine);
    }
}
