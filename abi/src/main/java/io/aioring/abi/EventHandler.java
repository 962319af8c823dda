package io.aioring.abi;

/** Receives reaped events. The view and its bytes are valid only during the call. */
@FunctionalInterface
public interface EventHandler {
    void onEvent(EventView event);
}
