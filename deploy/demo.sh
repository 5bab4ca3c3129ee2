#!/usr/bin/env bash
# A whole interview, unattended, in headless Chromium against the running platform; prints the score and
# writes the report PDF to test-artifacts/demo-report.pdf.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
curl -fsS -o /dev/null http://127.0.0.1:4000/readyz 2>/dev/null || bash deploy/stack.sh platform
node --import tsx web/e2e/demo.ts
