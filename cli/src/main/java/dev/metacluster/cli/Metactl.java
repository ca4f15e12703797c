package dev.metacluster.cli;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.client.MetadataException;
import dev.metacluster.cli.admin.AdminCommand;
import dev.metacluster.cli.bench.BenchCommand;
import dev.metacluster.cli.bench.BenchFailure;
import dev.metacluster.cli.fs.FsCommand;
import dev.metacluster.master.server.CommonPool;
import io.grpc.Status;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code metactl}: the metacluster command line. The options here are global (accepted before or
 * after any subcommand); exit codes are {@link ExitCodes}.
 */
@Command(
    name = "metactl",
    mixinStandardHelpOptions = true,
    versionProvider = Metactl.Version.class,
    description = "The metacluster command line.",
    footer = {
      "",
      "Target: --target, else $METACTL_TARGET, else run-data/cluster/targets under the",
      "repository root (written by `make run`), so `bin/metactl fs ls /` just works then."
    },
    subcommands = {
      FsCommand.class,
      AdminCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Metactl implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--target",
      scope = ScopeType.INHERIT,
      paramLabel = "HOST:PORT[,...]",
      description =
          "The masters: host:port,host:port,... or one DNS name:port that resolves to all of them"
              + " (default: $METACTL_TARGET, else run-data/cluster/targets of `make run`).")
  String target;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Deadline of each call, retries included: 500ms, 10s, 2m (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--follower-reads",
      scope = ScopeType.INHERIT,
      description =
          "Reads (ls, stat, getxattr) may be served by any member, with read-your-writes; default:"
              + " linearizable reads on the leader.")
  boolean followerReads;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "Output of fs and admin commands: ${COMPLETION-CANDIDATES} (default: table).")
  Output output;

  private Map<String, String> env = System.getenv();
  private Path cwd = Path.of("").toAbsolutePath();

  /** How fs and admin commands print results. */
  public enum Output {
    table,
    json
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** A fresh command line, for {@link #main} and for tests that run commands in-process. */
  public static CommandLine commandLine() {
    return commandLine(System.getenv(), Path.of("").toAbsolutePath());
  }

  /** As {@link #commandLine()}, with the environment and directory targets are resolved in. */
  public static CommandLine commandLine(Map<String, String> env, Path cwd) {
    Metactl metactl = new Metactl();
    metactl.env = Map.copyOf(env);
    metactl.cwd = cwd;
    CommandLine cli =
        new CommandLine(metactl)
            .setParameterExceptionHandler(Metactl::usageError)
            .setExecutionExceptionHandler(Metactl::failure);
    Map<String, String> exitCodes = new LinkedHashMap<>();
    for (String line : ExitCodes.HELP) {
      int colon = line.indexOf(':');
      exitCodes.put(" " + line.substring(0, colon), line.substring(colon + 1));
    }
    for (CommandLine c : new CommandLine[] {cli, cli.getSubcommands().get("fs")}) {
      c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
      c.getCommandSpec().usageMessage().exitCodeList(exitCodes);
    }
    return cli;
  }

  /** The root command's options, from any subcommand's spec. */
  public static Metactl of(CommandSpec spec) {
    return (Metactl) spec.root().userObject();
  }

  public Output output() {
    return output;
  }

  public Duration timeout() {
    return timeout;
  }

  public boolean followerReads() {
    return followerReads;
  }

  /** The environment commands read (target, S3 credentials). */
  public Map<String, String> env() {
    return env;
  }

  /** The directory relative paths resolve against. */
  public Path cwd() {
    return cwd;
  }

  /** The resolved target, or a usage error saying where it was looked for. */
  public Targets.Target target() {
    return Targets.resolve(target, env, cwd)
        .orElseThrow(() -> new CliException(ExitCodes.USAGE, Targets.missing(env, cwd)));
  }

  /** A client for the resolved target with the global options; close it. */
  public MetadataClient connect() {
    return clients().get();
  }

  /**
   * Makes clients for the target resolved now, with the global options: each one new, with channels
   * of its own (the bench's connection test opens many).
   */
  public Supplier<MetadataClient> clients() {
    Targets.Target t = target();
    Supplier<MetadataClient> factory =
        () ->
            MetadataClient.builder()
                .target(t.value())
                .callTimeout(timeout)
                .attemptTimeout(min(timeout, Duration.ofSeconds(10)))
                .followerReads(followerReads)
                .build();
    try {
      factory.get().close(); // a malformed or unresolvable target fails here
    } catch (IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.USAGE,
          "bad target '" + t.value() + "' (from " + t.source() + "): " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new CliException(
          ExitCodes.FAILED,
          "cannot reach '" + t.value() + "' (from " + t.source() + "): " + e.getMessage());
    }
    return factory;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Expected failures as one line with their exit code; anything else with its stack trace. */
  private static int failure(Exception e, CommandLine command, ParseResult parsed)
      throws Exception {
    int code;
    String message;
    if (e instanceof MetadataException m) {
      code = ExitCodes.of(m.code());
      message = m.getMessage();
      if (m.code() == Status.Code.UNAVAILABLE || m.code() == Status.Code.DEADLINE_EXCEEDED) {
        Metactl root = of(command.getCommandSpec());
        Targets.Target t = Targets.resolve(root.target, root.env, root.cwd).orElse(null);
        if (t != null) {
          message += "; cluster " + t.value() + " (from " + t.source() + ")";
        }
      }
    } else if (e instanceof CliException c) {
      code = c.exitCode();
      message = c.getMessage();
    } else if (e instanceof BenchFailure) {
      code = ExitCodes.FAILED;
      message = e.getMessage();
    } else {
      throw e; // a bug: picocli prints it with the stack trace and exits 1
    }
    PrintWriter err = command.getErr();
    err.println(
        command
            .getColorScheme()
            .errorText(command.getCommandSpec().qualifiedName() + ": " + message));
    err.flush();
    return code;
  }

  /** A usage error: the message and a pointer to --help, not the whole help text. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(command.getColorScheme().errorText(e.getMessage()));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.printf("Try '%s --help' for more information.%n", command.getCommandSpec().qualifiedName());
    err.flush();
    return ExitCodes.USAGE;
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

  /** "500ms", "10s", "2m", "1h", or a plain number of seconds. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parseDuration(value);
    }
  }

  static Duration parseDuration(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      Duration d;
      if (v.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        d =
            Duration.ofMillis(
                Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      } else if (v.endsWith("m")) {
        d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
      } else if (v.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      } else {
        d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
      }
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException("must be > 0: '" + value + "'");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (e.g. 500ms, 10s, 2m)");
    }
  }
}
