"""``rollout.engine: vllm``: rollouts from a vLLM server, its weights kept equal to the policy's.

``VllmEngine`` is the trainer's ``RolloutEngine`` for a ``vllm_server.py``
process: one that rlvr starts from ``rollout.vllm.python`` (the vLLM venv's
interpreter; vLLM pins an older transformers than rlvr's, so it never runs in
rlvr's interpreter) and owns, or one at ``rollout.vllm.url`` that someone else
runs on this host.

- Start: the server is started, and the run waits for its ready file; a server
  that exits first fails the run at once with ``VllmServerError`` carrying the
  tail of its log (``RUN_DIR/vllm_server.log``), one that is not ready within
  ``start_timeout_s`` is killed and fails it too.
- Weights: ``sync_weights(model)`` writes the policy's parameters to one
  safetensors file in ``/dev/shm`` (atomically), the server reads it into the
  running engine with vLLM's in-place ``reload_weights`` and resets its prefix cache
  (cached KV of the old weights would otherwise be reused). The trainer calls it
  once before the first rollout (so a resumed run's server holds the
  checkpoint) and after every optimizer step.
- Faults: a server that stops answering (its process died, the connection
  broke, a request timed out) is an infrastructure fault, not the model's: an
  owned server is killed if need be, restarted, given the current weights, and
  the whole batch is generated again, so no row is lost;
  ``vllm/restarts`` counts it. After ``max_restarts`` restarts in a run, or for a
  server at ``url`` (which rlvr cannot restart), the run fails with
  ``VllmServerError``. An error the server reports (HTTP 500) is a bug, not a
  fault, and fails the run with the server's message.

Sampling is not seeded per group as with ``hf`` (``seeds`` are not sent: vLLM
0.32 on CPU fails seeded requests whose prefill is chunked); the server's engine
is seeded once with ``seed``, so a run is reproducible only as far as vLLM's
batching is, and a restarted server draws other completions.

Limits: one process (no data parallelism), full weights (no LoRA), the server on
the trainer's host (the hand-off is a file); GPU-to-GPU transfer by NCCL is not
implemented (see ``vllm_server``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import torch

from .models import resolve_model
from .rollouts import OnGroupDone
from .sampling import SampledGroup

SERVER_SCRIPT = Path(__file__).with_name("vllm_server.py")
_LOG_TAIL = 3000  # characters of the server's log an error carries


class VllmServerError(RuntimeError):
    """The vLLM server could not start, or stopped answering for good."""


class _ServerDown(Exception):
    """The server stopped answering (died, hung up, timed out): an infrastructure fault."""


class VllmEngine:
    def __init__(self, cfg: Any, tokenizer: Any, log_path: Path) -> None:
        self.v, self.r = cfg.rollout.vllm, cfg.rollout
        self.eos_id = tokenizer.eos_token_id
        self.model_path = resolve_model(cfg.model.name)
        self.seed = cfg.seed
        self.dtype = self.v.dtype or cfg.model.dtype
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.weights_version = 0
        shm = Path("/dev/shm")
        self.handoff = Path(tempfile.mkdtemp(prefix="rlvr-vllm-", dir=shm if shm.is_dir() else None))
        self.weights_dir = self.handoff / "weights"  # vLLM reloads a folder's *.safetensors
        self.weights_dir.mkdir()
        self.http = httpx.Client(timeout=self.v.request_timeout_s, trust_env=False)
        try:
            self.url = self._start() if self.v.python else self.v.url.rstrip("/")
            self._with_restarts("GET", "/health", {})
        except BaseException:
            self.close()
            raise

    # --- the RolloutEngine seam ---

    def sample(self, prompt_ids: list[torch.Tensor], seeds: list[int], on_group_done: OnGroupDone) -> None:
        req = {"prompts": [p.tolist() for p in prompt_ids], "n": self.r.group_size,
               "max_tokens": self.r.max_new_tokens, "temperature": self.r.temperature, "top_p": self.r.top_p}
        reply = self._with_restarts("POST", "/generate", req)
        # handed over only once the whole batch came back: a fault mid-batch regenerates all of it
        for b, rows in enumerate(reply["groups"]):
            on_group_done(b, self._group(rows))

    def sync_weights(self, model: Any) -> dict[str, float]:
        t0 = time.perf_counter()
        self._write_weights(model)
        self.weights_version += 1
        self._with_restarts("POST", "/load_weights", {"path": str(self.weights_dir),
                                                      "version": self.weights_version})
        self._with_restarts("POST", "/reset_prefix_cache", {})
        return {"vllm/weight_sync_time": time.perf_counter() - t0, "vllm/restarts": float(self.restarts)}

    def close(self) -> None:
        self.http.close()
        self._stop()
        shutil.rmtree(self.handoff, ignore_errors=True)

    # --- rows ---

    def _group(self, rows: list[dict[str, Any]]) -> SampledGroup:
        """The server's G rows -> a right-padded group as ``sampling.sample_groups`` returns one."""
        C = max(len(r["ids"]) for r in rows)
        ids = torch.full((len(rows), C), self.eos_id, dtype=torch.long)
        mask = torch.zeros((len(rows), C), dtype=torch.bool)
        logps = torch.zeros((len(rows), C), dtype=torch.float32)
        for g, r in enumerate(rows):
            n = len(r["ids"])
            if len(r["logprobs"]) != n:
                raise VllmServerError(f"the server gave {len(r['logprobs'])} log-probs for {n} tokens")
            ids[g, :n] = torch.tensor(r["ids"], dtype=torch.long)
            mask[g, :n] = True
            logps[g, :n] = torch.tensor(r["logprobs"], dtype=torch.float32)
        return SampledGroup(ids, mask, [not r["finished"] for r in rows], sampling_logps=logps)

    def _write_weights(self, model: Any) -> None:
        from safetensors.torch import save_file

        # named_parameters() lists a tied tensor once, under its first name (embed_tokens, not lm_head),
        # which is the name vLLM's loader reads for tied embeddings
        tensors = {name: p.detach().to("cpu").contiguous() for name, p in model.named_parameters()}
        partial = self.handoff / "weights.partial"
        save_file(tensors, str(partial))
        partial.rename(self.weights_dir / "model.safetensors")  # the server never reads a half-written file

    # --- the server process ---

    def _start(self) -> str:
        ready = self.handoff / "ready.json"
        ready.unlink(missing_ok=True)
        env = dict(os.environ, VLLM_CPU_KVCACHE_SPACE=str(self.v.cpu_kvcache_gb))
        cmd = [self.v.python, str(SERVER_SCRIPT), "--model", self.model_path, "--ready-file", str(ready),
               "--port", str(self.v.port), "--dtype", self.dtype, "--seed", str(self.seed),
               "--gpu-memory-utilization", str(self.v.gpu_memory_utilization), "--parent-pid", str(os.getpid())]
        cmd += ["--max-model-len", str(self.v.max_model_len)] if self.v.max_model_len else []
        cmd += ["--eager"] if self.v.enforce_eager else []
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- rlvr: starting {' '.join(cmd)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=env, start_new_session=True)
        deadline = time.monotonic() + self.v.start_timeout_s
        while not ready.exists():
            if self.proc.poll() is not None:
                raise VllmServerError(f"the vLLM server exited with code {self.proc.returncode} before it was "
                                      f"ready ({' '.join(cmd)}); the end of {self.log_path}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self._stop()
                raise VllmServerError(f"the vLLM server was not ready within {self.v.start_timeout_s:.0f} s "
                                      f"(rollout.vllm.start_timeout_s); the end of {self.log_path}:\n"
                                      f"{self._log_tail()}")
            time.sleep(0.2)
        return f"http://127.0.0.1:{json.loads(ready.read_text())['port']}"

    def _stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # its own session: any helper it spawned goes too
                    os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def _restart(self) -> None:
        self._stop()
        self.restarts += 1
        self.url = self._start()
        if self.weights_version:  # the policy has moved on from the model folder the server loaded
            self._call("POST", "/load_weights", {"path": str(self.weights_dir), "version": self.weights_version})

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-_LOG_TAIL:]
        except OSError as exc:
            return f"(no log: {exc})"

    # --- requests ---

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            resp = self.http.request(method, self.url + path, json=body)
        except httpx.TransportError as exc:  # refused, reset, timed out: the server is gone or hung
            raise _ServerDown(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code != 200:
            raise VllmServerError(f"the vLLM server answered {method} {path} with {resp.status_code}: "
                                  f"{resp.text[:_LOG_TAIL]}")
        out: dict[str, Any] = resp.json()
        return out

    def _with_restarts(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        down: _ServerDown | None = None
        while True:
            try:
                if down is not None:
                    self._restart()
                return self._call(method, path, body)
            except _ServerDown as exc:
                if not self.v.python:
                    raise VllmServerError(f"the vLLM server at {self.url} stopped answering ({exc}); rlvr did "
                                          f"not start it (rollout.vllm.url), so it cannot restart it") from exc
                if self.restarts >= self.v.max_restarts:
                    raise VllmServerError(f"the vLLM server stopped answering ({exc}) after "
                                          f"{self.restarts} restarts (rollout.vllm.max_restarts); the end of "
                                          f"{self.log_path}:\n{self._log_tail()}") from exc
                down = exc
