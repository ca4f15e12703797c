package dev.metacluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
  @TempDir Path tmp;

  private Path writeTargets(Path root, String content) throws Exception {
    Path file = root.resolve("run-data/cluster/targets");
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file;
  }

  @Test
  void optionWinsOverEnvironmentAndFile() throws Exception {
    writeTargets(tmp, "f:1");
    var t = Targets.resolve(" a:1,b:2 ", Map.of(Targets.ENV_TARGET, "e:1"), tmp).orElseThrow();
    assertThat(t.value()).isEqualTo("a:1,b:2");
    assertThat(t.source()).isEqualTo("--target");
  }

  @Test
  void environmentWinsOverFile() throws Exception {
    writeTargets(tmp, "f:1");
    var t = Targets.resolve(null, Map.of(Targets.ENV_TARGET, "e:1"), tmp).orElseThrow();
    assertThat(t).isEqualTo(new Targets.Target("e:1", Targets.ENV_TARGET));
  }

  @Test
  void fileUnderMetactlHomeThenUnderTheCurrentDirectory() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("repo"));
    Path file = writeTargets(home, "127.0.0.1:19870,127.0.0.1:19871\n");
    var t =
        Targets.resolve(null, Map.of(Targets.ENV_HOME, home.toString()), tmp.resolve("elsewhere"))
            .orElseThrow();
    assertThat(t.value()).isEqualTo("127.0.0.1:19870,127.0.0.1:19871");
    assertThat(t.source()).isEqualTo(file.toString());

    assertThat(Targets.resolve(null, Map.of(), home)).isPresent();
    assertThat(Targets.resolve(null, Map.of(), tmp)).isEmpty();
  }

  @Test
  void localClusterDirMovesTheFile() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("cluster"));
    Files.writeString(dir.resolve("targets"), "x:1");
    var env = Map.of(Targets.ENV_LOCAL_CLUSTER_DIR, dir.toString());
    assertThat(Targets.resolve(null, env, tmp).orElseThrow().value()).isEqualTo("x:1");
  }

  @Test
  void blankValuesDoNotCount() throws Exception {
    writeTargets(tmp, "  \n");
    assertThat(Targets.resolve(" ", Map.of(Targets.ENV_TARGET, ""), tmp)).isEmpty();
    assertThat(Targets.missing(Map.of(), tmp))
        .contains("--target", "METACTL_TARGET", "make run", "run-data/cluster/targets");
  }
}
