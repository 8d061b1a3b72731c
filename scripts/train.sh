#!/usr/bin/env bash
# The main job: set up (idempotent), then a real GRPO run of the default model on the
# offline arithmetic task. Extra arguments go to `rlvr train` (e.g. --set steps=20).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
exec "$ROOT/.venv/bin/rlvr" train "$@"
