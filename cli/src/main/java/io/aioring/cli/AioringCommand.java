package io.aioring.cli;

import java.io.PrintWriter;

import io.aioring.linux.Arch;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aioring} command: its subcommands, and one clear line (never a stack trace) for every error. */
@Command(name = "aioring",
    mixinStandardHelpOptions = true,
    versionProvider = AioringCommand.Version.class,
    description = "Asynchronous I/O through a shared-memory completion ring.",
    subcommands = {BenchCommand.class, TraceCommand.class, InspectCommand.class, ListCommand.class, ReapCommand.class,
        CommandLine.HelpCommand.class})
public final class AioringCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; @return the exit code */
    public static int run(final String[] args, final PrintWriter out, final PrintWriter err) {
        try {
            Arch.current();
        } catch (final UnsupportedOperationException e) {
            err.println("aioring: " + e.getMessage());
            return 1;
        }
        final CommandLine commandLine = new CommandLine(new AioringCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            err.println("aioring: " + Printable.of(String.valueOf(e.getMessage())) + " (see: aioring "
                + qualifiedName(e.getCommandLine()) + "--help)");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((e, cl, ignored) -> {
            err.println("aioring " + cl.getCommandName() + ": " + Printable.of(describe(e)));
            return 1;
        });
        return commandLine.execute(args);
    }

    private static String qualifiedName(final CommandLine commandLine) {
        return commandLine.getParent() == null ? "" : commandLine.getCommandName() + " ";
    }

    /** @return one line saying what went wrong: our exceptions' messages are written to be read */
    static String describe(final Throwable e) {
        final String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName() + (e.getCause() == null ? "" : ": " + describe(e.getCause()));
        }
        return message.lines().findFirst().orElse(message);
    }

    /** Bare {@code aioring}: no command is a usage error, as with any other missing argument (exit 2). */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"aioring " + number() + ", ring ABI version " + io.aioring.ring.RingDescriptor.ABI_VERSION};
        }

        /** @return the version in the jar's manifest, or "development build" when run from classes */
        static String number() {
            final String version = AioringCommand.class.getPackage().getImplementationVersion();
            return version == null ? "development build" : version;
        }
    }
}
