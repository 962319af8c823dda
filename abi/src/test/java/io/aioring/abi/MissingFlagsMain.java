package io.aioring.abi;

/** Sets up a context in a JVM started without aioring's flags, and prints what it was told. */
public final class MissingFlagsMain {
    private MissingFlagsMain() {
    }

    public static void main(final String[] args) {
        try (AioContext context = AioContext.setup(new SetupParams())) {
            System.out.println("set up: " + context.ringPath());
        } catch (final RuntimeException | Error e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
