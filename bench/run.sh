#!/usr/bin/env bash
# Every benchmark, one after another, on the running stack (bash deploy/stack.sh up). Figures print with the
# machine; JSON lands in bench/results/. Takes about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash deploy/stack.sh up
pnpm --filter @proctor/bench ingest
pnpm --filter @proctor/bench load
pnpm --filter @proctor/bench report
pnpm --filter @proctor/bench detector
pnpm --filter @proctor/bench verifier
pnpm --filter @proctor/detector eval
