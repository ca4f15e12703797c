package dev.metacluster.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of the harness's one node, whose "containers" are master processes on loopback. For
 * each pod: one process started from the pod's container (the image's entrypoint, the container's
 * args, its env with {@code fieldRef} and {@code $(VAR)} resolved, ConfigMaps and PVCs "mounted" as
 * directories); restarted when it dies (restartPolicy Always, no back-off); stopped when its pod is
 * deleted (SIGTERM, then SIGKILL after the pod's grace period; a pod recreated under the same name
 * waits for the old process to exit); pod status Ready follows the master's {@code /readyz}, probed
 * with the pod's own period and failure threshold. It also plays the volume provisioner: a PVC is a
 * directory that lives until the PVC object is deleted and no process uses it.
 *
 * <p>Pods share 127.0.0.1; each has its own ports from {@link LoopbackDns}. On a real cluster the
 * container listens on the fixed ports of the pod spec; here the kubelet rewrites the listen ports,
 * {@code bind.host}, the peers' DNS names and paths under mount points through the master's own
 * {@code --set KEY=VALUE} overrides, which win over the file and the environment.
 */
final class Kubelet {
  private static final Logger log = LoggerFactory.getLogger(Kubelet.class);
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final Pattern SERVICE_ADDRESS =
      Pattern.compile("[a-z0-9-]+\\.[a-z0-9-]+\\.svc(\\.cluster\\.local)?:\\d+");

  /** What the kubelet runs for one pod object (one uid). */
  static final class RunningPod {
    final String namespace;
    final String name;
    final String uid;
    final LoopbackDns.PodPorts ports;
    final List<String> command;
    final Map<String, String> env;
    final Path log;
    final Set<Path> claims;
    final int graceSeconds;
    final ProbeTiming readiness;

    /** Init containers, run to completion in order before the container (then never again). */
    final List<InitContainer> init;

    /** restartPolicy Never (a Job's pod): runs once, and the pod ends Succeeded or Failed. */
    final boolean oneShot;

    /** terminationMessagePolicy FallbackToLogsOnError: a failure without a message gets the log. */
    final boolean logsOnError;

    volatile boolean initDone;

    /** A one-shot container that exited: its exit code; null while it runs. */
    volatile Integer finished;

    volatile Process process;
    volatile int restarts;
    volatile boolean ready;
    long nextProbeNanos;
    int probeFailures;

    /** How the previous container ended ({@code lastState.terminated}), null before any exit. */
    volatile Map<String, Object> lastTermination;

    /** The status last written to the pod (ready, restarts), so unchanged status is not sent. */
    String writtenStatus;

    RunningPod(
        Pod pod,
        LoopbackDns.PodPorts ports,
        List<String> command,
        Map<String, String> env,
        Path log,
        Set<Path> claims,
        List<InitContainer> init) {
      this.namespace = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.uid = pod.getMetadata().getUid();
      this.ports = ports;
      this.command = command;
      this.env = env;
      this.log = log;
      this.claims = claims;
      Long grace = pod.getSpec().getTerminationGracePeriodSeconds();
      this.graceSeconds = grace == null ? 30 : grace.intValue();
      this.readiness = ProbeTiming.of(pod.getSpec().getContainers().get(0).getReadinessProbe());
      this.init = init;
      this.oneShot = "Never".equals(pod.getSpec().getRestartPolicy());
      this.logsOnError =
          "FallbackToLogsOnError"
              .equals(pod.getSpec().getContainers().get(0).getTerminationMessagePolicy());
    }

    boolean alive() {
      Process p = process;
      return p != null && p.isAlive();
    }

    /** The file the container's termination message goes to (its terminationMessagePath). */
    Path terminationLog() {
      return log.resolveSibling("termination-log");
    }
  }

  /** One init container: its command line and environment. */
  record InitContainer(String name, List<String> command, Map<String, String> env) {}

  /**
   * When a kubelet probes readiness and how many failures in a row make a pod unready (Kubernetes'
   * defaults where the probe leaves them out): a master that misses one probe, for instance while
   * its group elects a leader, stays ready, as on a real node.
   */
  record ProbeTiming(
      long initialDelayNanos, long periodNanos, int failureThreshold, Duration timeout) {
    static ProbeTiming of(io.fabric8.kubernetes.api.model.Probe probe) {
      if (probe == null) {
        return new ProbeTiming(0, 0, 1, Duration.ofSeconds(1));
      }
      return new ProbeTiming(
          TimeUnit.SECONDS.toNanos(Objects.requireNonNullElse(probe.getInitialDelaySeconds(), 0)),
          TimeUnit.SECONDS.toNanos(Objects.requireNonNullElse(probe.getPeriodSeconds(), 10)),
          Objects.requireNonNullElse(probe.getFailureThreshold(), 3),
          Duration.ofSeconds(Objects.requireNonNullElse(probe.getTimeoutSeconds(), 1)));
    }
  }

  private final KubernetesClient client;
  private final LoopbackDns dns;
  private final Path entrypoint;

  /** {@code <service>.<ns>.svc:PORT} to the address that reaches it here (kube-proxy's job). */
  private final java.util.function.UnaryOperator<String> services;

  private final Path root;
  private final Map<String, RunningPod> running = new ConcurrentHashMap<>();

  /** What happens to a pod's claim directories before its next container start, by pod. */
  private final Map<String, VolumeFault> volumeFaults = new ConcurrentHashMap<>();

  /** Something that happens to a pod's volumes while its container is down. */
  @FunctionalInterface
  interface VolumeFault {
    void apply(Set<Path> claimDirs) throws IOException;
  }

  /** Pods whose process is being stopped; their name is taken until it has exited. */
  private final Map<String, RunningPod> stopping = new ConcurrentHashMap<>();

  private final List<Process> everyProcess = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  Kubelet(
      KubernetesClient client,
      LoopbackDns dns,
      Path entrypoint,
      Path root,
      java.util.function.UnaryOperator<String> services) {
    this.client = client;
    this.dns = dns;
    this.entrypoint = entrypoint;
    this.root = root;
    this.services = services;
  }

  /** The process running pod {@code name} now, if any. */
  RunningPod pod(String namespace, String name) {
    return running.get(namespace + "/" + name);
  }

  /**
   * The node loses the disk under pod {@code name}'s volumes: the next time a container of that pod
   * name starts, every claim directory it mounts is empty, while the PVC objects stay (a disk
   * replaced under a claim that survived, or data wiped by hand).
   */
  void loseVolumesAtNextStart(String namespace, String name) {
    atNextStart(
        namespace,
        name,
        claims -> {
          for (Path claim : claims) {
            deleteTree(claim);
            Files.createDirectories(claim);
          }
        });
  }

  /**
   * {@code fault} happens to the claim directories of pod {@code name} just before its next
   * container start (after the old process exited), e.g. a disk that corrupts a file.
   */
  void atNextStart(String namespace, String name, VolumeFault fault) {
    volumeFaults.put(namespace + "/" + name, fault);
  }

  /**
   * Whether a process of pod {@code name} still runs (also one whose pod object is gone but which
   * has not exited yet). A real API server keeps a deleted pod, Terminating, until its containers
   * have stopped, and the StatefulSet controller makes no new pod of that name meanwhile; the mock
   * deletes at once, so the stand-in asks this instead.
   */
  boolean processRunning(String namespace, String name) {
    String key = namespace + "/" + name;
    RunningPod r = running.get(key);
    RunningPod old = stopping.get(key);
    return (r != null && r.alive()) || (old != null && old.alive());
  }

  /** Whether the kubelet last found this pod's master ready. */
  boolean isReady(Pod pod) {
    RunningPod r = running.get(key(pod));
    return r != null && r.ready;
  }

  /** The directory standing in for PVC {@code claim}. */
  Path claimDir(String namespace, String claim) {
    return root.resolve("pvc").resolve(namespace).resolve(claim);
  }

  /** Client ports of the pods that are ready and match {@code selector} (a Service's endpoints). */
  List<Integer> readyClientPorts(String namespace, Map<String, String> selector) {
    return client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
        .map(p -> running.get(key(p)))
        .filter(r -> r != null && r.ready)
        .map(r -> r.ports.client())
        .toList();
  }

  /** One pass over every pod and volume. */
  void sync() {
    pods();
    reclaimVolumes();
  }

  private void pods() {
    Map<String, Pod> pods = new LinkedHashMap<>();
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      pods.put(key(p), p);
    }
    // pods deleted (or deleted and created again under the same name): stop their process
    for (RunningPod r : List.copyOf(running.values())) {
      Pod p = pods.get(r.namespace + "/" + r.name);
      if (p == null || !r.uid.equals(p.getMetadata().getUid())) {
        running.remove(r.namespace + "/" + r.name);
        stop(r);
      }
    }
    stopping.values().removeIf(r -> !r.alive());
    for (Pod p : pods.values()) {
      String key = key(p);
      RunningPod r = running.get(key);
      if (r == null) {
        if (stopping.containsKey(key) || p.getSpec().getContainers().isEmpty()) {
          continue; // the old process of this name still holds its ports and volumes
        }
        r = prepare(p);
        if (r == null) {
          continue; // a config map or claim is not there yet; a kubelet waits too
        }
        running.put(key, r);
        launch(r);
      } else if (!r.alive() && r.oneShot) {
        if (r.finished == null && r.process != null) {
          r.lastTermination = termination(r);
          r.finished = r.process.exitValue();
          log.info("kubelet: pod {} ran to completion (exit code {})", key, r.finished);
        }
      } else if (!r.alive()) {
        r.restarts++;
        r.lastTermination = termination(r);
        log.info(
            "kubelet: pod {} exited ({}: {}), restart #{}",
            key,
            exitCode(r),
            r.lastTermination.getOrDefault("message", ""),
            r.restarts);
        launch(r);
      }
      updateReadiness(r);
      writePodStatus(p, r);
    }
  }

  /** Runs the readiness probe when its period is up; unready at once when the process is gone. */
  private void updateReadiness(RunningPod r) {
    if (r.oneShot) {
      r.ready = r.alive();
      return;
    }
    if (!r.alive()) {
      r.ready = false;
      return;
    }
    long now = System.nanoTime();
    if (now - r.nextProbeNanos < 0) {
      return;
    }
    r.nextProbeNanos = now + r.readiness.periodNanos();
    if (probe(r.ports.http(), "/readyz", r.readiness.timeout()) == 200) {
      r.probeFailures = 0;
      r.ready = true;
    } else if (++r.probeFailures >= r.readiness.failureThreshold()) {
      r.ready = false;
    }
  }

  /** Resolves a pod's volumes, env and command; null while something it mounts is missing. */
  private RunningPod prepare(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Container c = pod.getSpec().getContainers().get(0);
    Path podDir = root.resolve("pods").resolve(ns).resolve(name);
    Set<Path> claims = ConcurrentHashMap.newKeySet();
    try {
      Files.createDirectories(podDir);
      fresh(podDir.resolve("volumes")); // emptyDirs live as long as the pod (this uid)
      Path terminationLog = podDir.resolve("termination-log");
      List<InitContainer> init = new ArrayList<>();
      for (Container ic :
          Objects.requireNonNullElse(pod.getSpec().getInitContainers(), List.<Container>of())) {
        Map<String, Path> mounts = mounts(pod, ic, podDir, claims);
        if (mounts == null) {
          return null;
        }
        Map<String, String> env = env(pod, ic);
        init.add(
            new InitContainer(
                ic.getName(), command(ic, env, mounts, terminationLog), withTmp(env, mounts)));
      }
      Map<String, Path> mounts = mounts(pod, c, podDir, claims);
      if (mounts == null) {
        return null;
      }
      Map<String, String> env = env(pod, c);
      List<String> command = command(c, env, mounts, terminationLog);
      LoopbackDns.PodPorts ports = dns.pod(ns, name);
      if (command.contains("server")) {
        command.addAll(loopbackOverrides(command, env, mounts, ports));
      }
      withTmp(env, mounts);
      // the container's terminationMessagePath (/dev/termination-log) is a file of the pod's here
      env.put("METACLUSTER_TERMINATION_MESSAGE_PATH", terminationLog.toString());
      return new RunningPod(pod, ports, command, env, podDir.resolve("master.log"), claims, init);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mount path to the directory standing in for it; null while a ConfigMap or claim is missing. */
  private Map<String, Path> mounts(Pod pod, Container c, Path podDir, Set<Path> claims)
      throws IOException {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount m : Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
      Volume v =
          pod.getSpec().getVolumes().stream()
              .filter(x -> x.getName().equals(m.getName()))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("pod " + name + ": no volume " + m.getName()));
      Path dir = podDir.resolve("volumes").resolve(v.getName());
      if (v.getConfigMap() != null) {
        ConfigMap cm =
            client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
        if (cm == null) {
          return null;
        }
        Files.createDirectories(dir);
        for (var e :
            Objects.requireNonNullElse(cm.getData(), Map.<String, String>of()).entrySet()) {
          Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
      } else if (v.getEmptyDir() != null) {
        Files.createDirectories(dir); // one per pod, shared by its containers
      } else if (v.getPersistentVolumeClaim() != null) {
        String claim = v.getPersistentVolumeClaim().getClaimName();
        if (client.persistentVolumeClaims().inNamespace(ns).withName(claim).get() == null) {
          return null;
        }
        dir = claimDir(ns, claim);
        Files.createDirectories(dir);
        claims.add(dir);
      } else {
        throw new IllegalStateException("pod " + name + ": volume kind not played: " + v);
      }
      mounts.put(m.getMountPath(), dir);
    }
    return mounts;
  }

  /**
   * The process for a container: the image's entrypoint ({@code bin/master}) or the image program
   * its {@code command} names, then its args, with paths under mount points, {@code file://} URIs,
   * the termination message path and Service addresses translated to what stands in for them.
   */
  private List<String> command(
      Container c, Map<String, String> env, Map<String, Path> mounts, Path terminationLog) {
    Map<String, Path> paths = new LinkedHashMap<>(mounts);
    paths.put(
        Objects.requireNonNullElse(c.getTerminationMessagePath(), "/dev/termination-log"),
        terminationLog);
    List<String> words = new ArrayList<>();
    if (c.getCommand() == null || c.getCommand().isEmpty()) {
      words.add(entrypoint.toString()); // the image's ENTRYPOINT
    } else {
      Path program = entrypoint.resolveSibling(Path.of(c.getCommand().get(0)).getFileName());
      if (!Files.isExecutable(program)) {
        throw new IllegalStateException("no program " + c.getCommand().get(0) + " in the image");
      }
      words.add(program.toString());
      c.getCommand().stream().skip(1).forEach(words::add);
    }
    words.addAll(Objects.requireNonNullElse(c.getArgs(), List.<String>of()));
    List<String> command = new ArrayList<>();
    command.add(words.get(0));
    for (String word : words.subList(1, words.size())) {
      String w = expand(word, env);
      if (w.startsWith("file://")) {
        w = "file://" + translate(w.substring("file://".length()), paths);
      } else if (SERVICE_ADDRESS.matcher(w).matches()) {
        w = services.apply(w);
      } else {
        w = translate(w, paths);
      }
      command.add(w);
    }
    return command;
  }

  /** The container's /tmp is an emptyDir; the JVM (RocksDB unpacks its library there) uses it. */
  private static Map<String, String> withTmp(Map<String, String> env, Map<String, Path> mounts) {
    if (mounts.containsKey("/tmp")) {
      String tmp = "-Djava.io.tmpdir=" + mounts.get("/tmp");
      env.merge("JAVA_OPTS", tmp, (a, b) -> a + " " + b);
      env.merge("METACTL_JAVA_OPTS", tmp, (a, b) -> a + " " + b);
    }
    return env;
  }

  /**
   * {@code --set} overrides that move the master from the pod network to loopback: its listen
   * address and ports, its peers' DNS names (to their loopback ports), and every configured path
   * under a mount point (to the directory standing in for the volume).
   */
  private List<String> loopbackOverrides(
      List<String> command,
      Map<String, String> env,
      Map<String, Path> mounts,
      LoopbackDns.PodPorts ports)
      throws IOException {
    int at = command.indexOf("--config");
    Properties file = new Properties();
    if (at >= 0 && at + 1 < command.size()) {
      try (Reader in = Files.newBufferedReader(Path.of(command.get(at + 1)))) {
        file.load(in);
      }
    }
    Map<String, String> effective = new LinkedHashMap<>();
    for (String key : file.stringPropertyNames()) {
      effective.put(key, file.getProperty(key));
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith("METACLUSTER_")) {
            // the master's env override names a key; find it among the file's keys
            file.stringPropertyNames().stream()
                .filter(key -> envName(key).equals(k))
                .findFirst()
                .ifPresent(key -> effective.put(key, v));
          }
        });
    Map<String, String> set = new LinkedHashMap<>();
    effective.forEach(
        (k, v) -> {
          String moved = translate(v, mounts);
          if (!moved.equals(v)) {
            set.put(k, moved);
          }
        });
    if (effective.containsKey("peers")) {
      set.put("peers", dns.rewritePeers(effective.get("peers")));
    }
    set.put("bind.host", LoopbackDns.HOST);
    set.put("raft.port", Integer.toString(ports.raft()));
    set.put("client.port", Integer.toString(ports.client()));
    set.put("http.port", Integer.toString(ports.http()));
    List<String> args = new ArrayList<>();
    set.forEach(
        (k, v) -> {
          args.add("--set");
          args.add(k + "=" + v);
        });
    return args;
  }

  private static String envName(String key) {
    return "METACLUSTER_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
  }

  /**
   * The container's env: values, {@code fieldRef} metadata.name/namespace, {@code secretKeyRef},
   * {@code $(VAR)}.
   */
  private Map<String, String> env(Pod pod, Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
      String value;
      if (e.getValueFrom() == null) {
        value = expand(Objects.requireNonNullElse(e.getValue(), ""), env);
      } else if (e.getValueFrom().getFieldRef() != null) {
        String field = e.getValueFrom().getFieldRef().getFieldPath();
        value =
            switch (field) {
              case "metadata.name" -> pod.getMetadata().getName();
              case "metadata.namespace" -> pod.getMetadata().getNamespace();
              case "status.podIP" -> LoopbackDns.HOST;
              default -> throw new IllegalStateException("fieldRef not played: " + field);
            };
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        value = secretValue(pod.getMetadata().getNamespace(), e.getValueFrom().getSecretKeyRef());
      } else {
        throw new IllegalStateException("env source not played: " + e.getValueFrom());
      }
      env.put(e.getName(), value);
    }
    return env;
  }

  /** Kubernetes' {@code $(VAR)} expansion against the variables defined so far. */
  /** A Secret's key, decoded (a missing one stops the container from starting, as on a node). */
  private String secretValue(
      String namespace, io.fabric8.kubernetes.api.model.SecretKeySelector ref) {
    var secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    String encoded =
        secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
    if (encoded == null) {
      throw new IllegalStateException(
          "secret " + namespace + "/" + ref.getName() + " has no key " + ref.getKey());
    }
    return new String(
        java.util.Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String expand(String value, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A container path under a mount point, as the host directory that backs it. */
  private static String translate(String path, Map<String, Path> mounts) {
    return mounts.entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
        .filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey() + "/"))
        .findFirst()
        .map(e -> e.getValue() + path.substring(e.getKey().length()))
        .orElse(path);
  }

  private void launch(RunningPod r) {
    if (!r.initDone) {
      for (InitContainer ic : r.init) {
        int exit = runToCompletion(r, ic);
        if (exit != 0) {
          // restartPolicy Always: the init container runs again on the next sync
          r.lastTermination =
              Map.of(
                  "terminated", Map.of("exitCode", exit, "reason", "Error", "message", ic.name()));
          log.info(
              "kubelet: pod {}/{} init container {} failed ({})",
              r.namespace,
              r.name,
              ic.name(),
              exit);
          return;
        }
      }
      r.initDone = true;
    }
    VolumeFault fault = volumeFaults.remove(r.namespace + "/" + r.name);
    if (fault != null) {
      try {
        fault.apply(r.claims);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot play a fault on " + r.claims, e);
      }
      log.info(
          "kubelet: pod {}/{} starts on volumes hit by a fault {}", r.namespace, r.name, r.claims);
    }
    ProcessBuilder pb =
        new ProcessBuilder(r.command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(r.log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("METACLUSTER_") || k.equals("JAVA_OPTS"));
    pb.environment().putAll(r.env);
    try {
      Process p = pb.start();
      synchronized (everyProcess) {
        everyProcess.add(p);
      }
      r.process = p;
      r.ready = false;
      r.probeFailures = 0;
      r.nextProbeNanos = System.nanoTime() + r.readiness.initialDelayNanos();
      log.info(
          "kubelet: pod {}/{} runs pid {} (client 127.0.0.1:{}, http :{}), log {}",
          r.namespace,
          r.name,
          p.pid(),
          r.ports.client(),
          r.ports.http(),
          r.log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + r.command, e);
    }
  }

  private static Map<String, Object> containerStatus(Pod pod, RunningPod r) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", pod.getSpec().getContainers().get(0).getName());
    c.put("ready", r.ready);
    c.put("started", r.alive());
    c.put("restartCount", r.restarts);
    c.put("image", Objects.requireNonNullElse(pod.getSpec().getContainers().get(0).getImage(), ""));
    if (r.finished != null) {
      c.put("state", r.lastTermination); // a one-shot container that ended stays terminated
    } else if (r.lastTermination != null) {
      c.put("lastState", r.lastTermination);
    }
    return c;
  }

  /** SIGTERM now, SIGKILL after the pod's grace period, off the loop thread. */
  private void stop(RunningPod r) {
    r.ready = false;
    Process p = r.process;
    if (p == null || !p.isAlive()) {
      return;
    }
    stopping.put(r.namespace + "/" + r.name, r);
    log.info("kubelet: pod {}/{} deleted, SIGTERM to pid {}", r.namespace, r.name, p.pid());
    p.destroy();
    p.onExit()
        .orTimeout(r.graceSeconds, TimeUnit.SECONDS)
        .exceptionally(
            t -> {
              log.info("kubelet: pid {} outlived its grace period, SIGKILL", p.pid());
              p.destroyForcibly();
              return p;
            });
  }

  /**
   * Runs an init container to completion on the loop thread (the pod's other containers wait for it
   * anyway), its output appended to the pod's log; its exit code, or -1 after 5 minutes.
   */
  private int runToCompletion(RunningPod r, InitContainer ic) {
    ProcessBuilder pb =
        new ProcessBuilder(ic.command())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(r.log.toFile()));
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("METACLUSTER_") || k.endsWith("JAVA_OPTS"));
    pb.environment().putAll(ic.env());
    try {
      log.info(
          "kubelet: pod {}/{} init container {}: {}", r.namespace, r.name, ic.name(), ic.command());
      Process p = pb.start();
      synchronized (everyProcess) {
        everyProcess.add(p);
      }
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + ic.command(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * {@code lastState.terminated} of a container that exited: its exit code and its termination
   * message (the file at its terminationMessagePath), as a kubelet reports them.
   */
  private static Map<String, Object> termination(RunningPod r) {
    Map<String, Object> terminated = new LinkedHashMap<>();
    terminated.put("exitCode", r.process.exitValue());
    terminated.put("reason", r.process.exitValue() == 0 ? "Completed" : "Error");
    try {
      if (Files.exists(r.terminationLog())) {
        terminated.put("message", Files.readString(r.terminationLog()));
        Files.delete(r.terminationLog()); // the next container starts with an empty one
      } else if (r.logsOnError && r.process.exitValue() != 0 && Files.exists(r.log)) {
        // terminationMessagePolicy FallbackToLogsOnError: the log's last lines
        List<String> lines = Files.readAllLines(r.log);
        terminated.put(
            "message",
            String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
      }
    } catch (IOException e) {
      log.warn("pod {}/{}: termination message unreadable: {}", r.namespace, r.name, e.toString());
    }
    terminated.put("finishedAt", Instant.now().toString());
    return Map.of("terminated", terminated);
  }

  private void writePodStatus(Pod pod, RunningPod r) {
    String written = r.ready + "/" + r.restarts + "/" + r.alive() + "/" + r.finished;
    if (written.equals(r.writtenStatus)) {
      return;
    }
    String now = Instant.now().toString();
    String ready = r.ready ? "True" : "False";
    Map<String, Object> status = new LinkedHashMap<>();
    Integer exit = r.finished;
    status.put("phase", exit == null ? "Running" : exit == 0 ? "Succeeded" : "Failed");
    status.put("podIP", LoopbackDns.HOST);
    status.put("hostIP", LoopbackDns.HOST);
    status.put(
        "conditions",
        List.of(
            Map.of("type", "Ready", "status", ready, "lastTransitionTime", now),
            Map.of("type", "ContainersReady", "status", ready, "lastTransitionTime", now)));
    status.put("containerStatuses", List.of(containerStatus(pod, r)));
    // a JSON patch replacing the whole status: the mock's merge patch would append to the lists
    String patch =
        Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status)));
    try {
      client
          .pods()
          .inNamespace(r.namespace)
          .withName(r.name)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), patch);
      r.writtenStatus = written;
    } catch (KubernetesClientException e) {
      log.debug("pod {}/{}: status not written: {}", r.namespace, r.name, e.getMessage());
    }
  }

  private int probe(int port, String path, Duration timeout) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(timeout)
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String exitCode(RunningPod r) {
    Process p = r.process;
    return p == null ? "never started" : "exit code " + p.exitValue();
  }

  // ---- volumes --------------------------------------------------------------------------------

  /** Deletes the directory of every PVC whose object is gone, once no process uses it. */
  private void reclaimVolumes() {
    Path pvcRoot = root.resolve("pvc");
    if (!Files.isDirectory(pvcRoot)) {
      return;
    }
    Set<Path> inUse = new java.util.HashSet<>();
    Stream.concat(running.values().stream(), stopping.values().stream())
        .forEach(r -> inUse.addAll(r.claims));
    Set<Path> exist =
        client.persistentVolumeClaims().inAnyNamespace().list().getItems().stream()
            .map(c -> claimDir(c.getMetadata().getNamespace(), c.getMetadata().getName()))
            .collect(Collectors.toSet());
    try (Stream<Path> namespaces = Files.list(pvcRoot)) {
      for (Path ns : namespaces.toList()) {
        try (Stream<Path> claims = Files.list(ns)) {
          for (Path dir : claims.toList()) {
            if (!exist.contains(dir) && !inUse.contains(dir)) {
              log.info("volume {} released: PVC deleted, directory removed", dir);
              deleteTree(dir);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path fresh(Path dir) throws IOException {
    deleteTree(dir);
    return Files.createDirectories(dir);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static String key(Pod p) {
    return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }

  /** SIGKILLs every process this kubelet ever started. Safe to call twice. */
  void killAll() {
    List<Process> all;
    synchronized (everyProcess) {
      all = List.copyOf(everyProcess);
    }
    for (Process p : all) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
