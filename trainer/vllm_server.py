"""The vLLM server that ``rollout.engine: vllm`` starts: run BY PATH with the vLLM venv's python.

    <vllm venv>/bin/python path/to/vllm_server.py --model DIR --ready-file F [--port 0] [--dtype bfloat16]

It imports nothing from rlvr (vLLM pins a transformers older than rlvr's, so the
two never share an interpreter) and only the standard library besides vLLM and
its torch/safetensors. It holds one ``vllm.LLM`` and answers JSON over HTTP on
127.0.0.1, one request at a time (the engine is not thread-safe):

- ``GET /health`` -> ``{"ok": true, "weights_version": k}``
- ``POST /generate`` ``{"prompts": [[id, ...], ...], "n": G, "max_tokens", "temperature",
  "top_p"}`` -> ``{"groups": [[{"ids", "logprobs", "finished"} x G] x B]}``:
  token ids in and out (no re-tokenisation), the sampled tokens' log-probs under
  the model's raw distribution (``logprobs_mode=raw_logprobs``: before
  temperature and top-p, the quantity the trainer computes), ``finished`` False
  for a row cut at ``max_tokens``. Sampling draws from the engine's one
  generator (seeded by ``--seed``), not from a seed per group (see ``generate``).
- ``POST /load_weights`` ``{"path": "/dev/shm/rlvr-vllm-.../", "version": k}``: the
  trainer's new weights, a folder of safetensors (checkpoint names), read into
  the running engine by vLLM's own in-place reload (the worker's
  ``reload_weights(weights_path=...)``, called through ``LLM.collective_rpc``);
  the prefix cache is stale afterwards, hence
- ``POST /reset_prefix_cache`` -> ``LLM.reset_prefix_cache()``.

When the engine is built and the socket listens, the server writes
``{"port": N, "pid": P}`` to ``--ready-file`` (atomically), which is what the
trainer waits for. Limits: one engine, unquantized models (vLLM 0.32's in-place
reload); the engine runs in-process (``VLLM_ENABLE_V1_MULTIPROCESSING=0``): one
process to start, kill and restart. The weight hand-off is a file, so the
trainer and this server share a host; GPU-to-GPU transfer (NCCL, as vLLM's
weight-transfer engine and TRL do) is not implemented.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any


def repack_tied_lm_head(worker: Any) -> bool:
    """Runs in vLLM's worker (``collective_rpc``), after an in-place reload. A tied LM head
    loads nothing of its own (its weight is the embedding's), so vLLM 0.32's reload puts its
    old kernel tensors back: on CPU, the GEMM packed from the OLD embedding, which the head's
    forward uses. Repacking it from the (reloaded) shared weight makes the head current again;
    on GPU the embedding method's post-processing does nothing. -> whether it repacked."""
    model = worker.model_runner.get_model()
    head = getattr(model, "lm_head", None)
    if head is None or not getattr(getattr(model, "config", None), "tie_word_embeddings", False):
        return False
    head.quant_method.process_weights_after_loading(head)
    return True


class Engine:
    def __init__(self, args: argparse.Namespace) -> None:
        from vllm import LLM

        self.llm = LLM(model=args.model, dtype=args.dtype, seed=args.seed, max_model_len=args.max_model_len,
                       gpu_memory_utilization=args.gpu_memory_utilization, enable_prefix_caching=True,
                       logprobs_mode="raw_logprobs", generation_config="vllm", enforce_eager=args.eager)
        self.weights_version = 0

    def generate(self, req: dict[str, Any]) -> dict[str, Any]:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        prompts = [TokensPrompt(prompt_token_ids=ids) for ids in req["prompts"]]
        # No per-request seed: vLLM 0.32 on CPU fails a seeded request whose prefill is chunked
        # ("CPU Generator does not use offset"), which a batch of 64 few-shot prompts is. Every
        # request draws from the engine's generator, seeded once (--seed).
        params = SamplingParams(n=req["n"], max_tokens=req["max_tokens"], temperature=req["temperature"],
                                top_p=req["top_p"], logprobs=0)
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        groups = []
        for out in outputs:
            rows = []
            for c in sorted(out.outputs, key=lambda c: c.index):
                ids = list(c.token_ids)
                # logprobs=0: each position's dict holds the sampled token (vLLM adds it whatever k is)
                lps = [pos[tok].logprob for tok, pos in zip(ids, c.logprobs or [], strict=False)]
                rows.append({"ids": ids, "logprobs": lps, "finished": c.finish_reason == "stop"})
            groups.append(rows)
        return {"groups": groups}

    def load_weights(self, req: dict[str, Any]) -> dict[str, Any]:
        # vLLM's in-place reload: undoes the kernel repacking of each layer (the CPU backend repacks
        # linear weights after loading, so a bare model.load_weights finds empty parameters), reads
        # the folder's *.safetensors through the model's own load_weights, and repacks
        self.llm.collective_rpc("reload_weights", kwargs={"weights_path": req["path"]})
        self.llm.collective_rpc(repack_tied_lm_head)  # a callable: fine with the in-process engine
        self.weights_version = int(req["version"])
        return {"weights_version": self.weights_version}

    def reset_prefix_cache(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"reset": bool(self.llm.reset_prefix_cache())}


def exit_with_parent(parent: int, handoff: Path) -> None:
    """The trainer that started this server died without closing it (SIGKILL, OOM): remove its
    hand-off folder (a copy of the weights in /dev/shm) and exit, rather than hold the memory
    forever. (A thread: the engine owns the main one.)"""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        shutil.rmtree(handoff, ignore_errors=True)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve(engine: Engine, port: int, ready_file: Path) -> None:
    routes = {"/generate": engine.generate, "/load_weights": engine.load_weights,
              "/reset_prefix_cache": engine.reset_prefix_cache}

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/health":
                self._reply(200, {"ok": True, "weights_version": engine.weights_version})
            else:
                self._reply(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            route = routes.get(self.path)
            if route is None:
                self._reply(404, {"error": f"no route {self.path}"})
                return
            try:
                req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                self._reply(200, route(req))
            except Exception as exc:  # the trainer gets the engine's own error, the server keeps serving
                self._reply(500, {"error": f"{type(exc).__name__}: {exc}"})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per request would bury the engine's own log

    httpd = HTTPServer(("127.0.0.1", port), Handler)
    partial = ready_file.with_name(ready_file.name + ".partial")
    partial.write_text(json.dumps({"port": httpd.server_address[1], "pid": os.getpid()}))
    partial.rename(ready_file)
    print(f"rlvr vllm_server: serving on 127.0.0.1:{httpd.server_address[1]}", file=sys.stderr, flush=True)
    httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--ready-file", required=True, type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-model-len", type=int, default=None, help="default: the model's own")
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.3)
    parser.add_argument("--eager", action="store_true", help="no torch.compile / CUDA graphs: a faster start")
    parser.add_argument("--parent-pid", type=int,
                        help="the trainer: when it is gone, remove the ready file's folder and exit")
    args = parser.parse_args()
    if args.parent_pid:
        exit_with_parent(args.parent_pid, args.ready_file.parent)
    serve(Engine(args), args.port, args.ready_file)


if __name__ == "__main__":  # the engine may spawn processes: they re-import this file
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    main()
