package io.aioring.abi;

/** Receives reaped events. The view and its bytes are valid only during the call. */
@FunctionalInterface
public interface EventHandler {
    /**
     * One event.
     *
     * @param event a view valid only during the call: copy what must outlive it
     */
    void onEvent(EventView event);
}
