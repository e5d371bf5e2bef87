#!/usr/bin/env bash
# Rebuild hireloop's committed browser assets (src/hireloop/web/static/vendor/) from the
# versions pinned in package-lock.json. Needs Node 18+ and npm; safe to run again and again:
# the same lock file gives byte-identical outputs.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node build.mjs
