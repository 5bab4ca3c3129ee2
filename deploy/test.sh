#!/usr/bin/env bash
# All tests, in the order that fails fastest: lint, types, unit, then the real stack for integration and e2e.
#   bash deploy/test.sh            everything
#   bash deploy/test.sh unit       no servers needed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/bootstrap.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
tier=${1:-all}

step "lint (biome, zero warnings)"
pnpm exec biome check --error-on-warnings .
step "generated code matches its sources (protobuf)"
pnpm --filter @proctor/proto generate >/dev/null
git diff --exit-code --stat -- proto/gen || { echo "proto/gen is stale: run pnpm --filter @proctor/proto generate and commit it" >&2; exit 1; }
step "typecheck (tsc strict)"
pnpm exec tsc -p tsconfig.json
pnpm --filter @proctor/web typecheck
results=.stack/test-results
mkdir -p "$results" && rm -f "$results"/*.json
# Each vitest run also writes JSON, summed at the end into one plain "N passed, N failed" line.
vitest() { local name=$1; shift; pnpm exec vitest run --reporter=default --reporter=json --outputFile="$results/$name.json" "$@"; }
summary() {
  node -e '
    const fs = require("fs"); let passed = 0, failed = 0, skipped = 0;
    for (const f of fs.readdirSync(process.argv[1])) {
      const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
    }
    console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  ' "$results"
}

step "k8s manifests (kustomize build + kubeconform, offline)"
bash deploy/k8s-validate.sh
step "unit tests"
vitest unit --project unit
if [ "$tier" = unit ]; then summary; exit 0; fi

step "local stack and web build"
bash deploy/stack.sh up
pnpm --filter @proctor/web build >/dev/null
step "integration and end-to-end tests (real servers)"
vitest stack --project int --project e2e
summary
