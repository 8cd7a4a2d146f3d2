#!/usr/bin/env bash
# Regenerate both locks from requirements.in and pyproject.toml, with the uv the lock pins:
#   requirements.txt          the runtime dependencies plus the test and bench extras (.venv, CI)
#   requirements-runtime.txt  the runtime dependencies alone, at the same pins (the Docker image)
# The runtime lock is constrained by the full one, so one upgrade moves both. Extra arguments go
# to the full lock's compile, e.g. `scripts/lock.sh --upgrade-package trafilatura`.
# tests/test_dependencies.py checks that the two agree.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh >/dev/null  # installs the pinned uv into .venv

compile() {  # compile OUT HEADER ARGS...: write OUT with HEADER as its first line
  local out="$1" header="$2"
  shift 2
  .venv/bin/uv pip compile --quiet requirements.in pyproject.toml --python-version 3.11 --no-header \
    -o "$out" "$@"
  printf '%s\n' "$header" | cat - "$out" > "$out.tmp" && mv "$out.tmp" "$out"
}

compile requirements.txt "# Full lock of every package (direct and transitive): the runtime dependencies plus the test and bench extras. Regenerate both locks: scripts/lock.sh" \
  --extra test --extra bench "$@"
compile requirements-runtime.txt "# Runtime-only lock (what the Docker image installs): the runtime dependencies at the pins of requirements.txt, no test or bench tools. Regenerate both locks: scripts/lock.sh" \
  --constraint requirements.txt
echo "lock: wrote requirements.txt ($(grep -c '==' requirements.txt) pins) and requirements-runtime.txt ($(grep -c '==' requirements-runtime.txt) pins)"
