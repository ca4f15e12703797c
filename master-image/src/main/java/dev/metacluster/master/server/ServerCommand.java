package dev.metacluster.master.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code server}: one master, configured by a file plus METACLUSTER_ environment overrides. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a metacluster master until SIGTERM: journal member, gRPC client API, HTTP probes and"
          + " metrics. A leader hands its leadership over before it stops.",
      "Configuration: --config FILE (java properties), then METACLUSTER_<KEY> environment"
          + " variables (key upper-cased, dots as underscores), then --set KEY=VALUE; every key"
          + " is listed in docs/CONFIGURATION.md."
    })
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "The configuration file.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Overrides one key (repeatable); wins over the file and the environment.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The environment: configuration overrides and the termination message path. */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    if (config != null && !Files.isRegularFile(config)) {
      throw new ParameterException(spec.commandLine(), "--config " + config + ": no such file");
    }
    MasterConfig loaded;
    try {
      loaded = MasterConfig.load(config, env, overrides);
    } catch (MasterConfig.ConfigException e) {
      TerminationMessage.write(env, e);
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      MasterServer.run(loaded);
    } catch (Exception e) {
      // on Kubernetes the pod's status says why (the operator replaces a member whose store is
      // refused); the exception still ends the process with its stack trace in the log
      TerminationMessage.write(env, e);
      throw e;
    }
    return 0;
  }
}
