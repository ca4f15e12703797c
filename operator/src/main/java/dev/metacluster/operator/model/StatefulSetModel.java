package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterSpec;
import dev.metacluster.operator.crd.PodMetadataSpec;
import dev.metacluster.operator.crd.SchedulingSpec;
import dev.metacluster.operator.crd.VolumeSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The masters: one StatefulSet, pods {@code <cluster>-0..n-1}, each with a metastore and a journal
 * volume. Pods start in parallel (a Raft group needs a majority up to elect), run as non-root with
 * a read-only root file system, and are told apart by their pod name (the member id).
 */
public final class StatefulSetModel {
  public static final String CONTAINER = "master";

  /** Non-root uid/gid of the master image. */
  public static final long RUN_AS = 10001L;

  /** The startup probe allows this long for RocksDB to open and the journal to replay. */
  public static final int STARTUP_SECONDS = 600;

  private StatefulSetModel() {}

  public static StatefulSet desired(MetadataCluster mdc) {
    return desired(mdc, mdc.getSpec().replicasOrDefault());
  }

  /**
   * @param replicas the ordinals to run: the operator moves it one membership step at a time, so it
   *     may differ from spec.replicas while a scale is in flight
   */
  public static StatefulSet desired(MetadataCluster mdc, int replicas) {
    return desired(mdc, replicas, null);
  }

  /**
   * @param restore the init container and volumes of a bootstrap from a backup, null for none
   */
  public static StatefulSet desired(
      MetadataCluster mdc, int replicas, RestoreModel.PodPart restore) {
    MetadataClusterSpec spec = mdc.getSpec();
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(Names.statefulSet(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(Names.headlessService(mdc))
        .withPodManagementPolicy("Parallel")
        // the operator restarts pods itself, followers first and the leader last, each only when
        // the others are caught up (the StatefulSet controller's rolling update knows no leader)
        .withNewUpdateStrategy()
        .withType("OnDelete")
        .endUpdateStrategy()
        .withNewSelector()
        .withMatchLabels(Names.selector(mdc))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels(mdc))
        .withAnnotations(podAnnotations(mdc))
        .endMetadata()
        .withSpec(podSpec(mdc, restore))
        .endTemplate()
        .withVolumeClaimTemplates(
            claim(Names.VOLUME_METASTORE, SpecDefaults.metastore(spec), mdc),
            claim(Names.VOLUME_JOURNAL, SpecDefaults.journal(spec), mdc))
        .endSpec()
        .build();
  }

  static Map<String, String> podLabels(MetadataCluster mdc) {
    PodMetadataSpec pod = mdc.getSpec().pod;
    Map<String, String> labels = new LinkedHashMap<>();
    if (pod != null && pod.labels != null) {
      labels.putAll(pod.labels);
    }
    labels.putAll(Names.labels(mdc));
    return labels;
  }

  static Map<String, String> podAnnotations(MetadataCluster mdc) {
    PodMetadataSpec pod = mdc.getSpec().pod;
    Map<String, String> annotations = new LinkedHashMap<>();
    if (pod != null && pod.annotations != null) {
      annotations.putAll(pod.annotations);
    }
    annotations.put(Names.ANNOTATION_CONFIG_HASH, ConfigMapModel.templateHash(mdc));
    return annotations;
  }

  static PodSpec podSpec(MetadataCluster mdc) {
    return podSpec(mdc, null);
  }

  static PodSpec podSpec(MetadataCluster mdc, RestoreModel.PodPart restore) {
    MetadataClusterSpec spec = mdc.getSpec();
    SchedulingSpec scheduling = spec.scheduling == null ? new SchedulingSpec() : spec.scheduling;
    PodSpec pod = podSpecBuilder(mdc, spec, scheduling).build();
    if (restore != null) {
      pod.setInitContainers(List.of(restore.initContainer()));
      List<io.fabric8.kubernetes.api.model.Volume> volumes = new ArrayList<>(pod.getVolumes());
      volumes.addAll(restore.volumes());
      pod.setVolumes(volumes);
    }
    return pod;
  }

  private static PodSpecBuilder podSpecBuilder(
      MetadataCluster mdc, MetadataClusterSpec spec, SchedulingSpec scheduling) {
    return new PodSpecBuilder()
        .withServiceAccountName(Names.serviceAccount(mdc))
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(SpecDefaults.terminationGraceSeconds(spec))
        .withImagePullSecrets(spec.imagePullSecrets)
        .withSecurityContext(podSecurity())
        .withContainers(container(mdc))
        .withVolumes(
            new VolumeBuilder()
                .withName(Names.VOLUME_CONFIG)
                .withNewConfigMap()
                .withName(Names.configMap(mdc))
                .endConfigMap()
                .build(),
            // RocksDB's JNI library unpacks into java.io.tmpdir; the root file system is read-only
            new VolumeBuilder().withName(Names.VOLUME_TMP).withNewEmptyDir().endEmptyDir().build())
        .withNodeSelector(emptyToNull(scheduling.nodeSelector))
        .withAffinity(scheduling.affinity != null ? scheduling.affinity : spreadOverNodes(mdc))
        .withTolerations(emptyToNull(scheduling.tolerations))
        .withTopologySpreadConstraints(emptyToNull(scheduling.topologySpreadConstraints))
        .withPriorityClassName(scheduling.priorityClassName);
  }

  static Container container(MetadataCluster mdc) {
    MetadataClusterSpec spec = mdc.getSpec();
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image)
        .withImagePullPolicy(spec.imagePullPolicy == null ? null : spec.imagePullPolicy.name())
        .withArgs(MasterConfig.args())
        .withEnv(env(spec))
        .withPorts(
            port(ServiceModel.PORT_RAFT, MasterConfig.RAFT_PORT),
            port(ServiceModel.PORT_CLIENT, MasterConfig.CLIENT_PORT),
            port(ServiceModel.PORT_HTTP, MasterConfig.HTTP_PORT))
        .withResources(spec.resources)
        .withVolumeMounts(
            configMount(),
            metastoreMount(),
            new VolumeMountBuilder()
                .withName(Names.VOLUME_JOURNAL)
                .withMountPath(MasterConfig.JOURNAL_DIR)
                .build(),
            new VolumeMountBuilder().withName(Names.VOLUME_TMP).withMountPath("/tmp").build())
        .withStartupProbe(probe(MasterConfig.HEALTH_PATH, 10, STARTUP_SECONDS / 10))
        .withLivenessProbe(probe(MasterConfig.HEALTH_PATH, 10, 6))
        .withReadinessProbe(probe(MasterConfig.READY_PATH, 5, 2))
        .withSecurityContext(containerSecurity())
        .build();
  }

  /** master.properties, read-only. */
  static VolumeMount configMount() {
    return new VolumeMountBuilder()
        .withName(Names.VOLUME_CONFIG)
        .withMountPath(MasterConfig.CONFIG_DIR)
        .withReadOnly(true)
        .build();
  }

  static VolumeMount metastoreMount() {
    return new VolumeMountBuilder()
        .withName(Names.VOLUME_METASTORE)
        .withMountPath(MasterConfig.METASTORE_DIR)
        .build();
  }

  /** Non-root, with the image's uid/gid owning the volumes. */
  static PodSecurityContext podSecurity() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /** No privileges, read-only root file system (writes go to volumes). */
  static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  static List<EnvVar> env(MetadataClusterSpec spec) {
    return List.of(
        new EnvVarBuilder()
            .withName(MasterConfig.ENV_POD_NAME)
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName(MasterConfig.envOverride(MasterConfig.KEY_MEMBER_ID))
            .withValue("$(" + MasterConfig.ENV_POD_NAME + ")")
            .build(),
        new EnvVarBuilder()
            .withName(MasterConfig.ENV_JAVA_OPTS)
            .withValue(MasterConfig.javaOpts(spec))
            .build());
  }

  private static ContainerPort port(String name, int port) {
    return new ContainerPortBuilder()
        .withName(name)
        .withContainerPort(port)
        .withProtocol("TCP")
        .build();
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(ServiceModel.PORT_HTTP))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(3)
        .build();
  }

  /** The default placement: prefer one master per node, so a node loss costs one member. */
  static Affinity spreadOverNodes(MetadataCluster mdc) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewLabelSelector()
        .withMatchLabels(Names.selector(mdc))
        .endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  static PersistentVolumeClaim claim(String name, VolumeSpec volume, MetadataCluster mdc) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(Names.selector(mdc))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(volume.storageClassName)
        .withNewResources()
        .addToRequests("storage", new Quantity(volume.size))
        .endResources()
        .endSpec()
        .build();
  }

  private static <K, V> Map<K, V> emptyToNull(Map<K, V> map) {
    return map == null || map.isEmpty() ? null : map;
  }

  private static <T> List<T> emptyToNull(List<T> list) {
    return list == null || list.isEmpty() ? null : list;
  }
}
