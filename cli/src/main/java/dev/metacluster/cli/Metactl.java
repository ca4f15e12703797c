package dev.metacluster.cli;

import dev.metacluster.cli.bench.BenchCommand;
import dev.metacluster.cli.bench.BenchFailure;
import dev.metacluster.master.server.CommonPool;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code metactl}: the metacluster command line. Exit codes: 0 success, 1 the command ran but
 * something failed (e.g. a benchmark op returned errors), 2 usage error.
 */
@Command(
    name = "metactl",
    mixinStandardHelpOptions = true,
    versionProvider = Metactl.Version.class,
    description = "The metacluster command line.",
    subcommands = {BenchCommand.class, CommandLine.HelpCommand.class})
public final class Metactl implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** A fresh command line, for {@link #main} and for tests that run commands in-process. */
  public static CommandLine commandLine() {
    return new CommandLine(new Metactl())
        .setParameterExceptionHandler(Metactl::usageError)
        .setExecutionExceptionHandler(Metactl::failure);
  }

  /** A command failed: expected failures as one line, anything else with its stack trace. */
  private static int failure(Exception e, CommandLine command, ParseResult parsed)
      throws Exception {
    if (!(e instanceof BenchFailure)) {
      throw e; // picocli prints it with the stack trace and exits 1
    }
    PrintWriter err = command.getErr();
    err.println(
        command
            .getColorScheme()
            .errorText(command.getCommandSpec().qualifiedName() + ": " + e.getMessage()));
    err.flush();
    return command.getCommandSpec().exitCodeOnExecutionException();
  }

  /** A usage error: the message and a pointer to --help, not the whole help text. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(command.getColorScheme().errorText(e.getMessage()));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.printf("Try '%s --help' for more information.%n", command.getCommandSpec().qualifiedName());
    err.flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  public static void main(String[] args) {
    CommonPool.ensureParallelism(); // before anything uses CompletableFuture
    System.exit(commandLine().execute(args));
  }

  /** The version from the jar manifest (absent when run from classes, e.g. in tests). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Metactl.class.getPackage().getImplementationVersion();
      return new String[] {"metactl " + (version == null ? "(development build)" : version)};
    }
  }
}
