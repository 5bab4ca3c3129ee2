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
step "typecheck (tsc strict)"
pnpm exec tsc -p tsconfig.json
pnpm --filter @proctor/web typecheck
step "unit tests"
pnpm exec vitest run --project unit
[ "$tier" = unit ] && exit 0

step "local stack and web build"
bash deploy/stack.sh up
pnpm --filter @proctor/web build >/dev/null
step "integration and end-to-end tests (real servers)"
pnpm exec vitest run --project int --project e2e
