package dev.metacluster.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatefulSetModelTest {
  private final MetadataCluster minimal = Examples.example("minimal", "ns1");
  private final MetadataCluster production = Examples.example("production", "ns1");

  @Test
  void mastersStartInParallelWithStableNamesAndTwoVolumes() {
    StatefulSet sts = StatefulSetModel.desired(minimal);
    assertThat(sts.getMetadata().getName()).isEqualTo("meta");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("meta-peers");
    assertThat(sts.getSpec().getSelector().getMatchLabels())
        .containsEntry(Names.LABEL_INSTANCE, "meta")
        .doesNotContainKey(Names.LABEL_ROLE);
    assertThat(sts.getSpec().getVolumeClaimTemplates())
        .extracting(c -> c.getMetadata().getName())
        .containsExactly("metastore", "journal");
    assertThat(
            sts.getSpec()
                .getVolumeClaimTemplates()
                .get(0)
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage")
                .toString())
        .isEqualTo("10Gi");
  }

  @Test
  void containerRunsTheMasterWithItsConfigProbesAndMemberIdFromThePodName() {
    Container c =
        StatefulSetModel.desired(minimal).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getArgs())
        .containsExactly("server", "--config", "/etc/metacluster/master.properties");
    Map<String, EnvVar> env =
        c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env.get("METACLUSTER_MEMBER_ID").getValue()).isEqualTo("$(POD_NAME)");
    assertThat(env.get("JAVA_OPTS").getValue())
        .isEqualTo("-Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getStartupProbe().getFailureThreshold() * c.getStartupProbe().getPeriodSeconds())
        .isGreaterThanOrEqualTo(300);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getPorts())
        .extracting(p -> p.getContainerPort())
        .containsExactly(9860, 9870, 9880);
  }

  @Test
  void podsRunAsNonRootAndPreferDistinctNodesByDefault() {
    var pod = StatefulSetModel.desired(minimal).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(60L);
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution()
                .get(0)
                .getPodAffinityTerm()
                .getTopologyKey())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(pod.getServiceAccountName()).isEqualTo("meta-master");
  }

  @Test
  void productionSettingsReachThePods() {
    StatefulSet sts = StatefulSetModel.desired(production);
    var pod = sts.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("4Gi");
    assertThat(c.getEnv())
        .anyMatch(
            e ->
                e.getValue() != null
                    && e.getValue()
                        .equals("-Xms2g -Xmx2g -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC"));
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(pod.getNodeSelector()).containsEntry("node-role.example.com/metadata", "true");
    assertThat(pod.getTolerations()).hasSize(1);
    assertThat(pod.getTopologySpreadConstraints()).hasSize(1);
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(120L);
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsKey(Names.ANNOTATION_CONFIG_HASH);
    assertThat(sts.getSpec().getVolumeClaimTemplates())
        .allMatch(c2 -> "fast-ssd".equals(c2.getSpec().getStorageClassName()));
  }

  @Test
  void aConfigChangeChangesThePodTemplateSoPodsRoll() {
    String before =
        StatefulSetModel.desired(minimal)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(Names.ANNOTATION_CONFIG_HASH);
    minimal.getSpec().cache.inodes = 42L;
    String after =
        StatefulSetModel.desired(minimal)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(Names.ANNOTATION_CONFIG_HASH);
    assertThat(after).isNotEqualTo(before);
  }
}
