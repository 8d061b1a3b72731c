#!/usr/bin/env bash
# Set up (idempotent: Docker engine, sandbox image, default model, the vLLM venv), then lint,
# type-check and run every test, Docker, model, vLLM and slow tests included. The vLLM tests
# fail rather than skip here (RLVR_REQUIRE_VLLM=1); plain `pytest` skips them without the venv.
# Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" --test
bash "$ROOT/scripts/setup.sh" --vllm
cd "$ROOT"
VENV="${RLVR_VENV:-$ROOT/.venv}"
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false RLVR_REQUIRE_VLLM=1
echo "== ruff"
"$VENV/bin/ruff" check .
echo "== mypy (every package pyproject.toml lists)"
PYTHON="$VENV/bin/python" bash scripts/typecheck.sh
echo "== pytest"
"$VENV/bin/python" -m pytest "$@"
