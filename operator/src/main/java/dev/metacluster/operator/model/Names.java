package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Names and labels of everything the operator creates for one MetadataCluster. */
public final class Names {
  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String APP = "metacluster";
  public static final String COMPONENT = "master";
  public static final String MANAGER = "metacluster-operator";

  /** Leader or follower, on each master pod; moved by the operator as leadership moves. */
  public static final String LABEL_ROLE = "metacluster.dev/role";

  /** The StatefulSet controller's label: the revision a pod was created from. */
  public static final String LABEL_REVISION = "controller-revision-hash";

  public static final String ROLE_LEADER = "leader";
  public static final String ROLE_FOLLOWER = "follower";

  /** Digest of master.properties on the pod template: a config change rolls the pods. */
  public static final String ANNOTATION_CONFIG_HASH = "metacluster.dev/config-hash";

  public static final String VOLUME_CONFIG = "config";
  public static final String VOLUME_METASTORE = "metastore";
  public static final String VOLUME_JOURNAL = "journal";
  public static final String VOLUME_TMP = "tmp";

  private Names() {}

  public static String statefulSet(MetadataCluster mdc) {
    return mdc.getMetadata().getName();
  }

  public static String clientService(MetadataCluster mdc) {
    return mdc.getMetadata().getName();
  }

  public static String headlessService(MetadataCluster mdc) {
    return mdc.getMetadata().getName() + "-peers";
  }

  public static String configMap(MetadataCluster mdc) {
    return mdc.getMetadata().getName() + "-config";
  }

  public static String serviceAccount(MetadataCluster mdc) {
    return mdc.getMetadata().getName() + "-master";
  }

  public static String podDisruptionBudget(MetadataCluster mdc) {
    return mdc.getMetadata().getName();
  }

  /** StatefulSet pod names: {@code <cluster>-<ordinal>}; also the Raft member id. */
  public static String podName(MetadataCluster mdc, int ordinal) {
    return statefulSet(mdc) + "-" + ordinal;
  }

  /** The ordinal of one of this cluster's pods (or member ids), null for any other name. */
  public static Integer ordinal(MetadataCluster mdc, String podName) {
    String prefix = statefulSet(mdc) + "-";
    if (podName == null || !podName.startsWith(prefix)) {
      return null;
    }
    String rest = podName.substring(prefix.length());
    return rest.matches("0|[1-9][0-9]{0,5}") ? Integer.valueOf(rest) : null;
  }

  /** The claim of {@code volume} for one ordinal: {@code <volume>-<sts>-<ordinal>}. */
  public static String claim(MetadataCluster mdc, String volume, int ordinal) {
    return volume + "-" + podName(mdc, ordinal);
  }

  /** The ordinal of one of this cluster's volume claims (metastore or journal), else null. */
  public static Integer claimOrdinal(MetadataCluster mdc, String claimName) {
    for (String volume : List.of(VOLUME_METASTORE, VOLUME_JOURNAL)) {
      if (claimName != null && claimName.startsWith(volume + "-")) {
        return ordinal(mdc, claimName.substring(volume.length() + 1));
      }
    }
    return null;
  }

  /** The member's stable DNS name through the headless Service. */
  public static String memberHost(MetadataCluster mdc, int ordinal) {
    return podName(mdc, ordinal)
        + "."
        + headlessService(mdc)
        + "."
        + mdc.getMetadata().getNamespace()
        + ".svc";
  }

  /** The labels that select this cluster's master pods (immutable in the StatefulSet). */
  public static Map<String, String> selector(MetadataCluster mdc) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_NAME, APP);
    labels.put(LABEL_INSTANCE, mdc.getMetadata().getName());
    labels.put(LABEL_COMPONENT, COMPONENT);
    return labels;
  }

  /** Labels on every object the operator creates for this cluster. */
  public static Map<String, String> labels(MetadataCluster mdc) {
    Map<String, String> labels = selector(mdc);
    labels.put(LABEL_MANAGED_BY, MANAGER);
    return labels;
  }
}
