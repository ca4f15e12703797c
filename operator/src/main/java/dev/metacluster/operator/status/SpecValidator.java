package dev.metacluster.operator.status;

import dev.metacluster.operator.backup.BackupValidation;
import dev.metacluster.operator.crd.JvmSpec;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterSpec;
import dev.metacluster.operator.crd.VolumeSpec;
import dev.metacluster.operator.model.SpecDefaults;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The checks the CRD schema cannot make (they compare fields with each other or with what already
 * runs), plus the schema's own rules again: an API server without the schema (or an old CRD) must
 * not let a bad spec through. A non-empty result means: touch no child, report the problems.
 */
public final class SpecValidator {
  private static final Set<Integer> SIZES = Set.of(1, 3, 5, 7);

  private SpecValidator() {}

  /**
   * @param existing the cluster's StatefulSet as it is now, or null before the first reconcile
   * @return one sentence per problem, each saying what to change
   */
  public static List<String> validate(MetadataCluster mdc, StatefulSet existing) {
    List<String> problems = new ArrayList<>();
    MetadataClusterSpec spec = mdc.getSpec();
    if (spec == null) {
      problems.add("spec is missing");
      return problems;
    }
    int replicas = spec.replicasOrDefault();
    if (!SIZES.contains(replicas)) {
      problems.add("spec.replicas is " + replicas + "; it must be 1, 3, 5 or 7");
    }
    if (spec.image == null || spec.image.isBlank()) {
      problems.add("spec.image is required");
    }
    String heap = SpecDefaults.heap(spec);
    if (!heap.matches(JvmSpec.HEAP_PATTERN)) {
      problems.add("spec.jvm.heap '" + heap + "' is not a JVM size such as 1g or 768m");
    } else {
      Quantity memoryLimit =
          spec.resources == null || spec.resources.getLimits() == null
              ? null
              : spec.resources.getLimits().get("memory");
      if (memoryLimit != null && jvmBytes(heap).compareTo(memoryLimit.getNumericalAmount()) >= 0) {
        problems.add(
            "spec.jvm.heap "
                + heap
                + " does not fit in the memory limit "
                + memoryLimit
                + "; leave room for RocksDB and the JVM itself");
      }
    }
    int min = SpecDefaults.electionTimeoutMinMillis(spec);
    int max = SpecDefaults.electionTimeoutMaxMillis(spec);
    if (min < 100) {
      // The schema says so too; checked here because not every API server enforces it (the mock
      // server in tests, or a CRD applied without its schema).
      problems.add("spec.raft.electionTimeoutMinMillis (" + min + ") must be at least 100");
    }
    if (min >= max) {
      problems.add(
          "spec.raft.electionTimeoutMinMillis ("
              + min
              + ") must be below electionTimeoutMaxMillis ("
              + max
              + ")");
    }
    if (spec.raft != null
        && spec.raft.snapshotThreshold != null
        && spec.raft.snapshotThreshold < 1) {
      problems.add(
          "spec.raft.snapshotThreshold (" + spec.raft.snapshotThreshold + ") must be at least 1");
    }
    if (spec.raft != null && spec.raft.logPurgeGap != null && spec.raft.logPurgeGap < 1) {
      problems.add("spec.raft.logPurgeGap (" + spec.raft.logPurgeGap + ") must be at least 1");
    }
    if (spec.maxReplacementsPerHourOrDefault() < 0) {
      problems.add(
          "spec.maxReplacementsPerHour ("
              + spec.maxReplacementsPerHour
              + ") must be 0 (no automatic replacement) or more");
    }
    checkVolume("metastore", SpecDefaults.metastore(spec), existing, problems);
    checkVolume("journal", SpecDefaults.journal(spec), existing, problems);
    problems.addAll(BackupValidation.problems(spec));
    return problems;
  }

  private static void checkVolume(
      String name, VolumeSpec wanted, StatefulSet existing, List<String> problems) {
    if (!wanted.size.matches(VolumeSpec.SIZE_PATTERN)) {
      problems.add(
          "spec.storage." + name + ".size '" + wanted.size + "' is not a positive size like 10Gi");
      return;
    }
    PersistentVolumeClaim current = claim(existing, name);
    if (current == null) {
      return;
    }
    String currentClass = current.getSpec().getStorageClassName();
    if (!Objects.equals(currentClass, wanted.storageClassName)) {
      problems.add(
          "spec.storage."
              + name
              + ".storageClassName cannot change from "
              + describe(currentClass)
              + " to "
              + describe(wanted.storageClassName)
              + " once the cluster exists; set it back");
    }
    Quantity currentSize =
        current.getSpec().getResources() == null
            ? null
            : current.getSpec().getResources().getRequests().get("storage");
    if (currentSize != null
        && currentSize
                .getNumericalAmount()
                .compareTo(new Quantity(wanted.size).getNumericalAmount())
            != 0) {
      problems.add(
          "spec.storage."
              + name
              + ".size cannot change from "
              + currentSize
              + " to "
              + wanted.size
              + " once the cluster exists (volume claim templates are immutable); set it back");
    }
  }

  private static PersistentVolumeClaim claim(StatefulSet sts, String name) {
    if (sts == null || sts.getSpec() == null || sts.getSpec().getVolumeClaimTemplates() == null) {
      return null;
    }
    return sts.getSpec().getVolumeClaimTemplates().stream()
        .filter(c -> name.equals(c.getMetadata().getName()))
        .findFirst()
        .orElse(null);
  }

  private static String describe(String storageClass) {
    return storageClass == null ? "the default class" : "'" + storageClass + "'";
  }

  /** Bytes of a JVM size: 512m, 1g, 1048576. */
  static BigDecimal jvmBytes(String size) {
    String s = size.toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = s.charAt(s.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g') {
      unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
      s = s.substring(0, s.length() - 1);
    }
    return new BigDecimal(s).multiply(BigDecimal.valueOf(unit));
  }
}
