package dev.metacluster.api.client;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client knows of the cluster: the seed addresses (fixed, or re-resolved from a DNS name),
 * one channel per member address, and the member last seen leading. Thread-safe.
 */
final class Members implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Members.class);

  private final Function<String, ManagedChannel> channelFactory;

  /** Null for a fixed list of addresses. */
  private final Supplier<List<String>> resolver;

  private final String target;
  private volatile List<String> seeds;
  private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicReference<String> leader = new AtomicReference<>();
  private final AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(1024));
  private volatile boolean closed;

  Members(
      String target,
      List<String> seeds,
      Supplier<List<String>> resolver,
      Function<String, ManagedChannel> channelFactory) {
    this.target = target;
    this.seeds = List.copyOf(seeds);
    this.resolver = resolver;
    this.channelFactory = channelFactory;
    if (resolver != null && this.seeds.isEmpty()) {
      refresh();
    }
  }

  String target() {
    return target;
  }

  List<String> seeds() {
    return seeds;
  }

  /** A start position for walking the seeds, rotating so that clients spread over members. */
  int nextStart() {
    return Math.floorMod(next.getAndIncrement(), Math.max(1, seeds.size()));
  }

  String leader() {
    return leader.get();
  }

  void leaderIs(String address) {
    String old = leader.getAndSet(address);
    if (!address.equals(old)) {
      LOG.debug("cluster {}: leader is now {} (was {})", target, address, old);
    }
  }

  /** Forgets the leader if it is still {@code address} (it failed). */
  void leaderFailed(String address) {
    if (leader.compareAndSet(address, null)) {
      LOG.debug("cluster {}: leader {} failed; looking for the leader again", target, address);
    }
  }

  /** Resolves the DNS name again; returns whether there is anything to resolve. */
  boolean refresh() {
    if (resolver == null) {
      return false;
    }
    try {
      List<String> resolved = resolver.get();
      if (!resolved.isEmpty()) {
        if (!resolved.equals(seeds)) {
          LOG.debug("cluster {}: resolved to {}", target, resolved);
        }
        seeds = List.copyOf(resolved);
      }
    } catch (RuntimeException e) {
      LOG.debug("cluster {}: resolving failed, keeping {}: {}", target, seeds, e.toString());
    }
    return true;
  }

  ManagedChannel channel(String address) {
    if (closed) {
      throw closedException();
    }
    ManagedChannel channel = channels.computeIfAbsent(address, channelFactory);
    if (closed) {
      channel.shutdownNow();
      throw closedException();
    }
    return channel;
  }

  /**
   * Lets every channel that is waiting out gRPC's reconnect backoff after a failed connection try
   * to connect now. Connected and idle channels are left as they are.
   */
  void resetBackoffs() {
    channels.values().forEach(ManagedChannel::resetConnectBackoff);
  }

  boolean closed() {
    return closed;
  }

  static MetadataException closedException() {
    return new MetadataException(Status.Code.CANCELLED, "the client is closed", null, null);
  }

  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> all = new ArrayList<>(channels.values());
    all.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean interrupted = false;
    for (ManagedChannel channel : all) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        interrupted = true;
        channel.shutdownNow();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
