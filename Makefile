# metacluster: the developer's entry points. Everything goes through Maven; nothing else to install
# beyond a JDK 17 and Maven 3.8.6+.
MVN ?= mvn -B
JAR_MASTER = master-image/target/master-image-0.1.0-SNAPSHOT.jar

# bench defaults: the shape of HDFS NNThroughputBenchmark (16 threads, 100k files, 1000 per dir)
BENCH_THREADS ?= 16
BENCH_FILES ?= 100000
BENCH_FILES_PER_DIR ?= 1000
BENCH_INODES ?= 10000000

.PHONY: build test run stop status demo bench bench-fill fmt clean crds operator e2e e2e-kind

## build: compile and package everything (jars + lib/ for bin/ launchers), no tests
build:
	$(MVN) -q package -DskipTests

## test: the whole suite: unit tests, integration tests (*IT), formatting and dependency checks
test:
	$(MVN) verify

## e2e: the end-to-end scenarios (operator + real master processes, mock API server); also in `test`
##      figures: `e2e-figure NAME VALUE UNIT` lines and e2e/target/e2e-figures.json
e2e:
	$(MVN) -pl e2e -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dit.test='dev/metacluster/e2e/**/*IT' -Dfailsafe.failIfNoSpecifiedTests=false

## e2e-kind: scenario 1 on a real kind cluster (needs docker, kind, kubectl; not run in CI)
e2e-kind: build
	e2e/kind/run.sh

## run: a local 3-member cluster on loopback (separate processes, data in run-data/cluster/)
run: build
	bin/local-cluster start

## stop: stops the cluster `make run` started (leader hands over first; data stays)
stop:
	bin/local-cluster stop

## status: which local members run and whether they are ready
status:
	bin/local-cluster status

## demo: the namespace engine alone with a small workload (no journal, no RPC)
demo: build
	java -jar $(JAR_MASTER) demo --metastore-dir run-data/metastore

## bench: engine throughput, HDFS NNThroughputBenchmark shape; JSON in target/bench-engine.json
bench: build
	bin/metactl bench --mode engine --threads $(BENCH_THREADS) --files $(BENCH_FILES) \
	  --files-per-dir $(BENCH_FILES_PER_DIR) --json target/bench-engine.json

## bench-fill: heap and disk per inode with BENCH_INODES inodes and a 512 MiB heap
bench-fill: build
	METACTL_JAVA_OPTS=-Xmx512m bin/metactl bench --mode engine --inodes $(BENCH_INODES) \
	  --json target/bench-fill.json

## crds: regenerate crds/ from the CRD classes in operator/ (the build fails while crds/ is stale)
crds:
	$(MVN) -q -pl operator -am process-classes -DskipTests
	cp operator/target/classes/META-INF/fabric8/*.metacluster.dev-v1.yml crds/

## operator: build, then run the operator from the build output against the current kubeconfig
operator:
	$(MVN) -q -pl operator -am package -DskipTests
	bin/operator

## fmt: apply google-java-format (the build rejects unformatted code)
fmt:
	$(MVN) -q spotless:apply

clean: stop
	$(MVN) -q clean
	rm -rf run-data
