package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.ServiceSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** The two Services: headless for peer DNS, and the client Service. */
public final class ServiceModel {
  public static final String PORT_RAFT = "raft";
  public static final String PORT_CLIENT = "client";
  public static final String PORT_HTTP = "http";

  private ServiceModel() {}

  /**
   * Headless, publishing not-ready addresses: members must find each other to elect a leader before
   * any of them is ready.
   */
  public static Service headless(MetadataCluster mdc) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(Names.headlessService(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .endMetadata()
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Names.selector(mdc))
        .withPorts(
            port(PORT_RAFT, MasterConfig.RAFT_PORT),
            port(PORT_CLIENT, MasterConfig.CLIENT_PORT),
            port(PORT_HTTP, MasterConfig.HTTP_PORT))
        .endSpec()
        .build();
  }

  /** Ready masters only; a follower tells a client where the leader is. */
  public static Service client(MetadataCluster mdc) {
    ServiceSpec service = mdc.getSpec().service == null ? new ServiceSpec() : mdc.getSpec().service;
    String type = service.type == null ? ServiceSpec.Type.ClusterIP.name() : service.type.name();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(Names.clientService(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .withAnnotations(service.annotations == null ? null : service.annotations)
        .endMetadata()
        .withNewSpec()
        .withType(type)
        .withSelector(Names.selector(mdc))
        .withPorts(port(PORT_CLIENT, MasterConfig.CLIENT_PORT))
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withTargetPort(new IntOrString(name))
        .withProtocol("TCP")
        .build();
  }
}
