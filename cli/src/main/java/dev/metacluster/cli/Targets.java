package dev.metacluster.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where metactl finds the cluster: {@code --target}, else {@code METACTL_TARGET}, else the file
 * {@code run-data/cluster/targets} that {@code make run} ({@code bin/local-cluster}) writes under
 * the repository root ({@code $LOCAL_CLUSTER_DIR/targets} when that is set, as for the script). The
 * repository root is {@code $METACTL_HOME} (set by {@code bin/metactl}), else the current
 * directory.
 */
public final class Targets {
  public static final String ENV_TARGET = "METACTL_TARGET";
  public static final String ENV_HOME = "METACTL_HOME";
  public static final String ENV_LOCAL_CLUSTER_DIR = "LOCAL_CLUSTER_DIR";

  /** A target and where it came from (for messages). */
  public record Target(String value, String source) {}

  private Targets() {}

  /**
   * Resolves the target.
   *
   * @param option the value of {@code --target}, or {@code null}
   * @param env the environment
   * @param cwd the current directory (the root when {@code METACTL_HOME} is not set)
   * @return the target, or empty when none of the three places names one
   */
  public static Optional<Target> resolve(String option, Map<String, String> env, Path cwd) {
    if (option != null && !option.isBlank()) {
      return Optional.of(new Target(option.trim(), "--target"));
    }
    String fromEnv = env.get(ENV_TARGET);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(new Target(fromEnv.trim(), ENV_TARGET));
    }
    Path file = localClusterFile(env, cwd);
    if (Files.isRegularFile(file)) {
      try {
        String content = Files.readString(file).trim();
        if (!content.isEmpty()) {
          return Optional.of(new Target(content, file.toString()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return Optional.empty();
  }

  /** The file {@code bin/local-cluster start} writes the client addresses to. */
  public static Path localClusterFile(Map<String, String> env, Path cwd) {
    String dir = env.get(ENV_LOCAL_CLUSTER_DIR);
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir).resolve("targets");
    }
    String home = env.get(ENV_HOME);
    Path root = home != null && !home.isBlank() ? Path.of(home) : cwd;
    return root.resolve("run-data").resolve("cluster").resolve("targets");
  }

  /** The message when no target is found. */
  public static String missing(Map<String, String> env, Path cwd) {
    return "no cluster to talk to: give --target HOST:PORT[,HOST:PORT...] (or NAME:PORT), set "
        + ENV_TARGET
        + ", or start a local cluster with `make run` (looked for "
        + localClusterFile(env, cwd)
        + ")";
  }
}
