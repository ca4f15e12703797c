package dev.metacluster.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The master image's file layout, assembled from the build output the way master-image/Dockerfile
 * assembles it: {@code bin/master} (the image's entrypoint), {@code master/master-image.jar} and
 * {@code master/lib/}. The harness runs pods' containers with this launcher, so a master here is
 * started exactly as in the image, minus the container.
 */
final class MasterImage {
  private MasterImage() {}

  /**
   * Builds the layout under {@code dir} and returns the entrypoint.
   *
   * @param repo the repository root (master-image/target must hold a packaged build)
   */
  static Path assemble(Path repo, Path dir) throws IOException {
    Path target = repo.resolve("master-image/target");
    Path jar;
    try (Stream<Path> files = Files.list(target)) {
      jar =
          files
              .filter(p -> p.getFileName().toString().matches("master-image-[^-]+.*\\.jar"))
              .filter(p -> !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no master jar in " + target + ": package master-image first"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalStateException(target + " is missing: package master-image first", e);
    }
    Path lib = target.resolve("lib");
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(lib + " is missing: package master-image first");
    }
    Files.createDirectories(dir.resolve("bin"));
    Files.createDirectories(dir.resolve("master"));
    Files.copy(jar, dir.resolve("master/master-image.jar"), StandardCopyOption.REPLACE_EXISTING);
    Path link = dir.resolve("master/lib");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, lib);
    // metactl, as the image has it: cli/cli.jar + cli/lib and bin/metactl
    Path cliTarget = repo.resolve("cli/target");
    Path cliJar;
    try (Stream<Path> files = Files.list(cliTarget)) {
      cliJar =
          files
              .filter(p -> p.getFileName().toString().matches("cli-[^-]+.*\\.jar"))
              .filter(p -> !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no cli jar in " + cliTarget));
    }
    Files.createDirectories(dir.resolve("cli"));
    Files.copy(cliJar, dir.resolve("cli/cli.jar"), StandardCopyOption.REPLACE_EXISTING);
    Path cliLib = dir.resolve("cli/lib");
    Files.deleteIfExists(cliLib);
    Files.createSymbolicLink(cliLib, cliTarget.resolve("lib"));
    Path metactl = dir.resolve("bin/metactl");
    Files.copy(repo.resolve("bin/metactl"), metactl, StandardCopyOption.REPLACE_EXISTING);
    if (!metactl.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + metactl + " executable");
    }
    Path launcher = dir.resolve("bin/master");
    Files.copy(repo.resolve("bin/master"), launcher, StandardCopyOption.REPLACE_EXISTING);
    if (!launcher.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + launcher + " executable");
    }
    return launcher;
  }
}
