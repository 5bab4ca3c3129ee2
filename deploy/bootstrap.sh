#!/usr/bin/env bash
# Sourced by platform.sh and test.sh: makes sure pnpm and the npm packages are there, on a fresh machine too.
PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "[bootstrap] installing pnpm $PNPM_VERSION with npm" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || { echo "[bootstrap] error: npm install -g pnpm@$PNPM_VERSION failed" >&2; exit 1; }
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$ROOT" && pnpm install --frozen-lockfile --prefer-offline --reporter=append-only 2>&1 | tail -n 3 >&2) \
  || { echo "[bootstrap] error: pnpm install failed" >&2; exit 1; }
