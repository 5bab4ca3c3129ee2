#!/usr/bin/env bash
# Every benchmark, one after another, on the running stack (bash deploy/stack.sh up). Figures print with the machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash deploy/stack.sh up
pnpm --filter @proctor/bench ingest
pnpm --filter @proctor/bench report
