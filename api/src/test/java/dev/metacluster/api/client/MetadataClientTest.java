package dev.metacluster.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.api.Headers;
import dev.metacluster.api.admin.v1.BackupManifest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MetadataClientTest {
  private FakeCluster cluster;
  private final List<MetadataClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new FakeCluster(3);
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(MetadataClient::close);
    cluster.close();
  }

  private MetadataClient client(MetadataClient.Builder builder) {
    MetadataClient client = builder.build();
    clients.add(client);
    return client;
  }

  private MetadataClient client() {
    return client(cluster.client());
  }

  @Test
  void followsTheLeaderHintAndRemembersTheLeader() {
    cluster.leader = cluster.addresses.get(2);
    MetadataClient client = client();

    FileStatus status = client.createDirectory("/a", false);

    assertThat(status.getPath()).isEqualTo("/a");
    assertThat(client.leader()).contains(cluster.addresses.get(2));
    // at most one detour: a follower's hint leads straight to the leader
    assertThat(cluster.calls("CreateDirectory")).hasSizeLessThanOrEqualTo(2);
    assertThat(
            cluster
                .calls("CreateDirectory")
                .get(cluster.calls("CreateDirectory").size() - 1)
                .member())
        .isEqualTo(cluster.addresses.get(2));

    cluster.calls.clear();
    client.createFile("/a/f", false);
    client.getStatus("/a/f");
    assertThat(cluster.calls).extracting(FakeCluster.Call::member).containsOnly(cluster.leader);
  }

  @Test
  void findsTheLeaderWithoutHints() {
    cluster.hints = false;
    cluster.leader = cluster.addresses.get(1);
    MetadataClient client = client();

    client.createDirectory("/a", false);

    assertThat(client.leader()).contains(cluster.addresses.get(1));
    assertThat(cluster.applied("CreateDirectory")).isEqualTo(1);
  }

  @Test
  void retriesALostAnswerWithTheSameCallIdAndTheWriteAppliesOnce() {
    MetadataClient client = client();
    client.createDirectory("/d", false); // leader known
    cluster.calls.clear();
    cluster.failures.add(
        new FakeCluster.Failure(
            "CreateFile", Status.UNAVAILABLE.withDescription("connection reset"), true, false));

    FileStatus created = client.createFile("/d/f", false);

    assertThat(created.getPath()).isEqualTo("/d/f");
    assertThat(cluster.applied("CreateFile")).isEqualTo(1);
    List<FakeCluster.Call> attempts = cluster.calls("CreateFile");
    assertThat(attempts).hasSizeGreaterThan(1);
    assertThat(attempts)
        .extracting(FakeCluster.Call::callKey)
        .containsOnly(attempts.get(0).callKey());
    assertThat(attempts.get(0).header(Headers.CLIENT_ID)).isEqualTo(client.clientId());
    assertThat(Long.parseLong(attempts.get(0).header(Headers.CALL_ID))).isPositive();
  }

  @Test
  void retriesAWriteWhoseAttemptTimedOutWithTheSameCallId() {
    MetadataClient client =
        client(
            cluster
                .client()
                .attemptTimeout(Duration.ofMillis(200))
                .callTimeout(Duration.ofSeconds(20)));
    cluster.failures.add(new FakeCluster.Failure("CreateDirectory", Status.OK, false, true));

    client.createDirectory("/slow", false);

    List<FakeCluster.Call> attempts =
        cluster.calls("CreateDirectory").stream()
            .filter(c -> c.member().equals(cluster.leader))
            .toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).callKey()).isEqualTo(attempts.get(1).callKey());
    assertThat(cluster.applied("CreateDirectory")).isEqualTo(1);
  }

  @Test
  void retriesAWriteAnsweredDeadlineExceededWithTheSameCallId() {
    MetadataClient client = client();
    cluster.failures.add(
        new FakeCluster.Failure(
            "Rename", Status.DEADLINE_EXCEEDED.withDescription("commit timed out"), true, false));
    client.createFile("/x", false);

    FileStatus moved = client.rename("/x", "/y");

    assertThat(moved.getPath()).isEqualTo("/y");
    assertThat(cluster.applied("Rename")).isEqualTo(1);
    List<FakeCluster.Call> attempts = cluster.calls("Rename");
    assertThat(attempts).hasSizeGreaterThan(1);
    assertThat(attempts)
        .extracting(FakeCluster.Call::callKey)
        .containsOnly(attempts.get(0).callKey());
  }

  @Test
  void everyWriteHasItsOwnCallIdAlsoFromManyThreads() throws Exception {
    MetadataClient client = client();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<FileStatus>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String path = "/f" + i;
        futures.add(pool.submit(() -> client.createFile(path, false)));
      }
      for (Future<FileStatus> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Set<String> keys =
        cluster.calls("CreateFile").stream()
            .filter(c -> c.member().equals(cluster.leader))
            .map(FakeCluster.Call::callKey)
            .collect(Collectors.toSet());
    assertThat(keys).hasSize(200);
    assertThat(cluster.applied("CreateFile")).isEqualTo(200);
  }

  @ParameterizedTest
  @EnumSource(
      value = Status.Code.class,
      names = {"INVALID_ARGUMENT", "NOT_FOUND", "ALREADY_EXISTS", "FAILED_PRECONDITION"})
  void finalErrorsAreNotRetried(Status.Code code) {
    MetadataClient client = client();
    client.createDirectory("/d", false);
    cluster.calls.clear();
    cluster.failures.add(
        new FakeCluster.Failure(
            "CreateFile",
            Status.fromCode(code).withDescription("the server says no"),
            false,
            false));

    assertThatThrownBy(() -> client.createFile("/d/f", false))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.description()).isEqualTo("the server says no");
              assertThat(e.address()).contains(cluster.leader);
            });
    assertThat(cluster.calls("CreateFile")).hasSize(1);
  }

  @Test
  void aCreateThatExistsIsAFinalAnswer() {
    MetadataClient client = client();
    client.createFile("/f", false);
    assertThatThrownBy(() -> client.createFile("/f", false))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS));
    assertThatThrownBy(() -> client.getStatus("/nope"))
        .isInstanceOfSatisfying(
            MetadataException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void noAttemptStartsAfterTheCallDeadline() {
    Duration timeout = Duration.ofMillis(1000);
    MetadataClient client =
        client(
            cluster
                .client()
                .callTimeout(timeout)
                .maxAttempts(Integer.MAX_VALUE)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)));
    for (String member : cluster.addresses) {
      client.clusterInfo(member); // channels up: the attempts below reach the members
    }
    cluster.leader = null; // an election that never ends
    cluster.calls.clear();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.createDirectory("/a", false))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
              assertThat(e.description()).contains("call deadline of 1000 ms");
            });
    long deadline = start + timeout.toNanos();

    List<FakeCluster.Call> attempts = cluster.calls("CreateDirectory");
    assertThat(attempts).hasSizeGreaterThan(cluster.addresses.size()); // more than one round
    for (FakeCluster.Call c : attempts) {
      // (+ a little: the call starts its clock just after this test does)
      assertThat(c.arrivedNanos()).isLessThan(deadline + TimeUnit.MILLISECONDS.toNanos(5));
      // every attempt carried a deadline, never later than the call's
      assertThat(c.deadlineNanos()).isNotNull();
      assertThat(c.deadlineNanos()).isLessThan(deadline + TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  @Test
  void givesUpAfterMaxAttempts() {
    cluster.leader = null;
    MetadataClient client = client(cluster.client().maxAttempts(5));

    assertThatThrownBy(() -> client.exists("/a"))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.description()).contains("5 attempts");
            });
    assertThat(cluster.calls("Exists")).hasSize(5);
  }

  @Test
  void backPressureIsRetriedAFewTimesOnly() {
    MetadataClient client = client();
    client.createDirectory("/d", false);
    cluster.calls.clear();
    for (int i = 0; i < 2; i++) {
      cluster.failures.add(
          new FakeCluster.Failure("GetStatus", Status.RESOURCE_EXHAUSTED, false, false));
    }
    assertThat(client.getStatus("/d").getPath()).isEqualTo("/d");
    assertThat(cluster.calls("GetStatus")).hasSize(3);

    cluster.calls.clear();
    for (int i = 0; i < 5; i++) {
      cluster.failures.add(
          new FakeCluster.Failure(
              "GetStatus", Status.RESOURCE_EXHAUSTED.withDescription("busy"), false, false));
    }
    assertThatThrownBy(() -> client.getStatus("/d"))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(cluster.calls("GetStatus")).hasSize(Attempts.MAX_BUSY_ATTEMPTS);
  }

  @Test
  void whenTheLeaderDiesTheNextLeaderIsFound() throws Exception {
    MetadataClient client = client();
    client.createDirectory("/a", false);
    String old = cluster.leader;
    assertThat(client.leader()).contains(old);

    cluster.kill(old);
    cluster.leader = null; // election under way: members answer UNAVAILABLE without a hint
    AtomicInteger seen = new AtomicInteger();
    String next = cluster.addresses.get(2);
    cluster.onCall =
        () -> {
          if (seen.incrementAndGet() == 4) {
            cluster.leader = next;
          }
        };

    FileStatus status = client.createFile("/a/f", false);

    assertThat(status.getPath()).isEqualTo("/a/f");
    assertThat(client.leader()).contains(next);
    assertThat(cluster.applied("CreateFile")).isEqualTo(1);
  }

  @Test
  void followerReadsCarryTheLastWriteIndexAndSpreadOverMembers() {
    MetadataClient client = client(cluster.client().followerReads(true));
    client.createDirectory("/d", false);
    client.createFile("/d/f", false);
    long lastWrite = cluster.logIndex.get();
    assertThat(client.lastSeenIndex()).isEqualTo(lastWrite);
    cluster.calls.clear();

    for (int i = 0; i < 6; i++) {
      assertThat(client.getStatus("/d/f").getPath()).isEqualTo("/d/f");
      assertThat(client.exists("/d/f")).isTrue();
    }
    try (Stream<FileStatus> children = client.listStatus("/d")) {
      assertThat(children.map(FileStatus::getName)).containsExactly("f");
    }

    assertThat(cluster.calls).hasSize(13);
    for (FakeCluster.Call c : cluster.calls) {
      assertThat(c.header(Headers.READ)).isEqualTo(Headers.READ_FOLLOWER);
      assertThat(Long.parseLong(c.header(Headers.MIN_INDEX))).isGreaterThanOrEqualTo(lastWrite);
      assertThat(c.header(Headers.CALL_ID)).isNull();
    }
    assertThat(FakeCluster.countBy(cluster.calls).keySet()).hasSizeGreaterThan(1);
  }

  @Test
  void readsAreLinearizableOnTheLeaderByDefault() {
    MetadataClient client = client();
    client.createDirectory("/d", false);
    cluster.calls.clear();

    client.getStatus("/d");
    client.exists("/d");

    for (FakeCluster.Call c : cluster.calls) {
      assertThat(c.member()).isEqualTo(cluster.leader);
      assertThat(c.header(Headers.READ)).isNull();
      assertThat(c.header(Headers.MIN_INDEX)).isNull();
    }
  }

  @Test
  void aListingResumesAfterBrokenStreamsWithoutDuplicatesOrGaps() {
    cluster.files.put(
        "/big", FileStatus.newBuilder().setPath("/big").setName("big").setDirectory(true).build());
    cluster.addChildren("/big", 10);
    MetadataClient client = client();
    client.exists("/big"); // leader known
    // the first stream breaks after two pages; the second after one page, on a leader change
    cluster.brokenLists.add(
        new FakeCluster.BrokenList(2, Status.UNAVAILABLE.withDescription("reset"), new Metadata()));
    Metadata hint = new Metadata();
    hint.put(Headers.LEADER, cluster.addresses.get(1));
    cluster.brokenLists.add(
        new FakeCluster.BrokenList(1, Status.UNAVAILABLE.withDescription("stepped down"), hint));
    cluster.onCall =
        () -> {
          if (cluster.listRequests.size() == 2) {
            cluster.leader = cluster.addresses.get(1);
          }
        };

    List<String> names;
    try (Stream<FileStatus> s =
        client.listStatus(ListStatusRequest.newBuilder().setPath("/big").setPageSize(3).build())) {
      names = s.map(FileStatus::getName).toList();
    }

    assertThat(names)
        .containsExactly(
            "f000", "f001", "f002", "f003", "f004", "f005", "f006", "f007", "f008", "f009");
    assertThat(cluster.listRequests)
        .extracting(ListStatusRequest::getStartAfter)
        .containsExactly("", "f005", "f008");
    assertThat(client.leader()).contains(cluster.addresses.get(1));
  }

  @Test
  void aListingKeepsItsLimitAcrossResumes() {
    cluster.files.put(
        "/big", FileStatus.newBuilder().setPath("/big").setName("big").setDirectory(true).build());
    cluster.addChildren("/big", 10);
    MetadataClient client = client();
    cluster.brokenLists.add(
        new FakeCluster.BrokenList(1, Status.UNAVAILABLE.withDescription("reset"), new Metadata()));

    List<String> names;
    try (Stream<FileStatus> s =
        client.listStatus(
            ListStatusRequest.newBuilder()
                .setPath("/big")
                .setStartAfter("f001")
                .setLimit(5)
                .setPageSize(2)
                .build())) {
      names = s.map(FileStatus::getName).toList();
    }

    assertThat(names).containsExactly("f002", "f003", "f004", "f005", "f006");
    ListStatusRequest resumed = cluster.listRequests.get(cluster.listRequests.size() - 1);
    assertThat(resumed.getStartAfter()).isEqualTo("f003");
    assertThat(resumed.getLimit()).isEqualTo(3);
  }

  @Test
  void listingAMissingDirectoryFailsAtOnceAndAClosedListingEnds() {
    cluster.files.put(
        "/big", FileStatus.newBuilder().setPath("/big").setName("big").setDirectory(true).build());
    cluster.addChildren("/big", 10);
    MetadataClient client = client();
    client.exists("/"); // leader known

    assertThatThrownBy(() -> client.listStatus("/missing"))
        .isInstanceOfSatisfying(
            MetadataException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    assertThat(cluster.calls("ListStatus")).hasSize(1); // not retried

    DirectoryListing listing =
        client.listStatusIterator(
            ListStatusRequest.newBuilder().setPath("/big").setPageSize(1).build());
    assertThat(listing.next().getName()).isEqualTo("f000");
    listing.close();
    listing.close();
    assertThat(listing.hasNext()).isFalse();
  }

  @Test
  void backupIsStreamedAndChecked() throws Exception {
    byte[] archive = new byte[100_000];
    new java.util.Random(7).nextBytes(archive);
    cluster.backup = archive;
    cluster.leader = cluster.addresses.get(1);
    MetadataClient client = client();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupManifest manifest = client.backup(out);

    assertThat(out.toByteArray()).isEqualTo(archive);
    assertThat(manifest.getIndex()).isEqualTo(42);
    assertThat(client.leader()).contains(cluster.addresses.get(1));
  }

  @Test
  void aBackupWhoseChecksumDoesNotMatchIsDataLoss() {
    byte[] archive = new byte[10_000];
    cluster.backup = archive;
    cluster.backupManifest =
        () -> FakeCluster.manifestOf(archive).toBuilder().setArchiveSha256("00".repeat(32)).build();
    MetadataClient client = client();

    assertThatThrownBy(() -> client.backup(new ByteArrayOutputStream()))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.DATA_LOSS);
              assertThat(e.description()).contains("SHA-256");
            });

    cluster.backupManifest = () -> null;
    assertThatThrownBy(() -> client.backup(new ByteArrayOutputStream()))
        .isInstanceOfSatisfying(
            MetadataException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.DATA_LOSS);
              assertThat(e.description()).contains("without a manifest");
            });
  }

  @Test
  void clusterInfoOfTheLeaderAndOfOneMember() throws Exception {
    cluster.leader = cluster.addresses.get(2);
    MetadataClient client = client();

    ClusterInfoResponse info = client.clusterInfo();
    assertThat(info.getRole()).isEqualTo(Role.LEADER);
    assertThat(info.getMemberId()).isEqualTo("m2");
    assertThat(client.leader()).contains(cluster.addresses.get(2));

    ClusterInfoResponse follower = client.clusterInfo(cluster.addresses.get(0));
    assertThat(follower.getRole()).isEqualTo(Role.FOLLOWER);
    assertThat(follower.getLeaderId()).isEqualTo("m2");

    cluster.kill(cluster.addresses.get(0));
    cluster.calls.clear();
    assertThatThrownBy(() -> client.clusterInfo(cluster.addresses.get(0)))
        .isInstanceOfSatisfying(
            MetadataException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void adminCallsGoToTheLeader() {
    cluster.leader = cluster.addresses.get(1);
    MetadataClient client = client();

    assertThat(client.addMembers(List.of(MemberAddress.newBuilder().setId("m9").build())))
        .hasSize(3);
    assertThat(client.removeMembers(List.of("m9"))).hasSize(3);
    assertThat(client.takeSnapshot()).isEqualTo(cluster.logIndex.get());
    assertThat(client.takeSnapshot(cluster.addresses.get(0))).isEqualTo(cluster.logIndex.get());

    assertThat(client.transferLeadership("m2")).isEqualTo("m2");
    assertThat(client.leader()).isEmpty();
    client.createDirectory("/after", false);
    assertThat(client.leader()).contains(cluster.addresses.get(2));
  }

  @Test
  void everyFileSystemCallRoundTrips() {
    MetadataClient client = client();
    assertThat(client.createDirectory("/a/b", true).getDirectory()).isTrue();
    assertThat(client.createFile("/a/b/f", false).getCompleted()).isFalse();
    assertThat(client.completeFile("/a/b/f", 12).getLength()).isEqualTo(12);
    assertThat(
            client
                .setAttribute(
                    SetAttributeRequest.newBuilder().setPath("/a/b/f").setMode(0600).build())
                .getMode())
        .isEqualTo(0600);
    assertThat(client.rename("/a/b/f", "/a/g").getPath()).isEqualTo("/a/g");
    assertThat(client.exists("/a/b/f")).isFalse();
    client.delete("/a/g", false);
    assertThat(client.exists("/a/g")).isFalse();
  }

  @Test
  void aDnsNameIsResolvedAgainWhenEveryKnownMemberFails() throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    String live = cluster.addresses.get(2);
    cluster.leader = live;
    MetadataClient client =
        client(
            cluster
                .client()
                .dnsName("masters.example:7000")
                .resolver(
                    name -> {
                      assertThat(name.host()).isEqualTo("masters.example");
                      return lookups.incrementAndGet() == 1
                          ? List.of("gone0:7100", "gone1:7101")
                          : List.of(live);
                    }));
    assertThat(client.addresses()).containsExactly("gone0:7100", "gone1:7101");

    client.createDirectory("/a", false);

    assertThat(lookups.get()).isGreaterThanOrEqualTo(2);
    assertThat(client.addresses()).containsExactly(live);
    assertThat(client.leader()).contains(live);
  }

  @Test
  void closeShutsTheChannelsDownAndLaterCallsFail() {
    MetadataClient client = client();
    client.createDirectory("/a", false);
    client.close();

    assertThat(cluster.channels()).isNotEmpty().allMatch(ManagedChannel::isShutdown);
    assertThatThrownBy(() -> client.exists("/a"))
        .isInstanceOfSatisfying(
            MetadataException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void targetsAndAddressesAreParsed() {
    assertThat(HostPort.parse("[::1]:9200")).isEqualTo(new HostPort("::1", 9200));
    assertThat(HostPort.parse(" m1:1 ").toString()).isEqualTo("m1:1");
    assertThat(new HostPort("::1", 9).toString()).isEqualTo("[::1]:9");
    for (String bad : List.of("m1", "m1:", ":9", "m1:0", "m1:70000", "::1:9", "[::1]9")) {
      assertThatThrownBy(() -> HostPort.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    try (MetadataClient c =
        MetadataClient.builder().target("a:1, b:2,a:1").channelFactory(cluster::channel).build()) {
      assertThat(c.addresses()).containsExactly("a:1", "b:2");
    }
    try (MetadataClient c =
        MetadataClient.builder()
            .target("dns:///svc:5")
            .resolver(n -> List.of("x:" + n.port()))
            .channelFactory(cluster::channel)
            .build()) {
      assertThat(c.addresses()).containsExactly("x:5");
    }
    assertThatThrownBy(() -> MetadataClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
  }
}
