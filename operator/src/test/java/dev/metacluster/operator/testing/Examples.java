package dev.metacluster.operator.testing;

import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths into the repository and the example resources, for tests. */
public final class Examples {
  private Examples() {}

  /** The repository root (the operator module's parent). */
  public static Path repo() {
    Path dir = Path.of("").toAbsolutePath();
    return Files.exists(dir.resolve("manifests")) ? dir : dir.getParent();
  }

  public static Path examplesDir() {
    return repo().resolve("manifests").resolve("examples");
  }

  public static MetadataCluster load(Path yaml, String namespace) {
    try {
      MetadataCluster mdc = Serialization.unmarshal(Files.readString(yaml), MetadataCluster.class);
      mdc.getMetadata().setNamespace(namespace);
      return mdc;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static MetadataCluster example(String name, String namespace) {
    return load(examplesDir().resolve(name + ".yaml"), namespace);
  }
}
