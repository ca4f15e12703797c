package dev.metacluster.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The children of each example in manifests/examples, compared with reviewed YAML in
 * src/test/resources/golden. After an intended change, regenerate with {@code mvn -pl operator test
 * -Dtest=ChildrenGoldenTest -Dgolden.update=true} and review the diff.
 */
class ChildrenGoldenTest {
  static final String NAMESPACE = "metacluster-demo";

  static List<HasMetadata> children(MetadataCluster mdc) {
    return List.of(
        ServiceAccountModel.desired(mdc),
        ConfigMapModel.desired(mdc),
        ServiceModel.headless(mdc),
        ServiceModel.client(mdc),
        PodDisruptionBudgetModel.desired(mdc),
        StatefulSetModel.desired(mdc));
  }

  @ParameterizedTest
  @ValueSource(strings = {"minimal", "production"})
  void childrenMatchTheReviewedYaml(String example) throws IOException {
    MetadataCluster mdc = Examples.example(example, NAMESPACE);
    Path dir = Examples.repo().resolve("operator/src/test/resources/golden").resolve(example);
    boolean update = Boolean.getBoolean("golden.update");
    for (HasMetadata child : children(mdc)) {
      Path file =
          dir.resolve(
              child.getKind().toLowerCase() + "-" + child.getMetadata().getName() + ".yaml");
      String actual = Serialization.asYaml(child);
      if (update) {
        Files.createDirectories(dir);
        Files.writeString(file, actual);
      }
      assertThat(file).as("golden file (regenerate with -Dgolden.update=true)").exists();
      assertThat(actual).as(file.toString()).isEqualTo(Files.readString(file));
    }
  }
}
