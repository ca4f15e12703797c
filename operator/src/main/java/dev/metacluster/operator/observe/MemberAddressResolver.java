package dev.metacluster.operator.observe;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.MasterConfig;
import dev.metacluster.operator.model.Names;

/**
 * Maps a member to the address the operator dials. In a cluster that is the pod's DNS name through
 * the headless Service; a harness without cluster DNS (end-to-end tests) supplies its own.
 */
@FunctionalInterface
public interface MemberAddressResolver {
  MemberEndpoint resolve(MetadataCluster mdc, int ordinal);

  /** {@code <pod>.<headless-service>.<namespace>.svc:<client port>}. */
  MemberAddressResolver CLUSTER_DNS =
      (mdc, ordinal) ->
          new MemberEndpoint(
              Names.podName(mdc, ordinal),
              Names.memberHost(mdc, ordinal),
              MasterConfig.CLIENT_PORT);
}
