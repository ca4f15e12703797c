#!/usr/bin/env bash
# Scenario 1 on a real Kubernetes cluster (kind): build both images, load them into a fresh kind
# cluster, install the CRD and the operator from manifests/, apply a 3-member MetadataCluster,
# wait for Ready, show it, and use metactl against it. Needs docker, kind and kubectl on PATH and a
# finished `make build`. Not run in CI (no container engine there). Keeps the cluster afterwards;
# KEEP=0 deletes it.
set -euo pipefail
cd "$(dirname "$0")/../.."

CLUSTER="${CLUSTER:-metacluster-e2e}"
NS="${NS:-e2e}"
MASTER_IMAGE=ghcr.io/metacluster/master:0.1.0     # what manifests/examples/minimal.yaml names
OPERATOR_IMAGE=ghcr.io/metacluster/operator:0.1.0 # what manifests/operator.yaml names

step() { printf '\n== %s\n' "$*"; }

step "images"
docker build -f master-image/Dockerfile -t "$MASTER_IMAGE" .
docker build -f operator/Dockerfile -t "$OPERATOR_IMAGE" .

step "kind cluster $CLUSTER"
kind get clusters | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s
kubectl config use-context "kind-$CLUSTER"
kind load docker-image --name "$CLUSTER" "$MASTER_IMAGE" "$OPERATOR_IMAGE"

step "CRD and operator"
kubectl apply -f crds/
# both images have a version tag, so pods use the loaded image (pull policy IfNotPresent)
kubectl apply -k manifests/
kubectl -n metacluster-system rollout status deployment/metacluster-operator --timeout=180s

step "scenario 1: a 3-member cluster"
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -
start=$(date +%s)
kubectl apply -n "$NS" -f manifests/examples/minimal.yaml
kubectl wait -n "$NS" mdc/meta --for=condition=Ready --timeout=300s
echo "e2e-figure ready_seconds $(($(date +%s) - start)) s"
kubectl get -n "$NS" mdc
kubectl get -n "$NS" pods -L metacluster.dev/role
leader=$(kubectl get -n "$NS" mdc/meta -o jsonpath='{.status.leader}')
test -n "$leader"
test "$(kubectl get -n "$NS" pod "$leader" -o jsonpath='{.metadata.labels.metacluster\.dev/role}')" = leader

step "metactl"
# from this machine through a port-forward to the client Service: cluster info (any member answers)
kubectl port-forward -n "$NS" svc/meta 19870:9870 >/dev/null &
pf=$!
trap 'kill $pf 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/19870) 2>/dev/null && break; sleep 0.2; done
bin/metactl --target 127.0.0.1:19870 admin info
# writes go to the leader, whose address is a pod DNS name: run metactl inside the cluster
kubectl exec -n "$NS" "$leader" -- metactl --target "meta.$NS.svc:9870" fs mkdir -p /kind/e2e
kubectl exec -n "$NS" "$leader" -- metactl --target "meta.$NS.svc:9870" fs ls /kind

step "ok"
if [ "${KEEP:-1}" = 0 ]; then kind delete cluster --name "$CLUSTER"; fi
