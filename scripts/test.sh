#!/usr/bin/env bash
# Set up (idempotent: Docker engine, sandbox image, default model), then lint, type-check
# and run every test, Docker, model and slow tests included. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" --test
cd "$ROOT"
VENV="${RLVR_VENV:-$ROOT/.venv}"
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
echo "== ruff"
"$VENV/bin/ruff" check .
echo "== mypy (every package pyproject.toml lists)"
PYTHON="$VENV/bin/python" bash scripts/typecheck.sh
echo "== pytest"
"$VENV/bin/python" -m pytest "$@"
