"""Greedy evaluation through `vllm serve` against local `rlvr eval`, on the same rows.

    python benchmarks/vllm_eval_vs_local.py                 # arithmetic, first 100 held-out rows
    python benchmarks/vllm_eval_vs_local.py --rows 20 --dtypes float32

For each dtype: the local evaluation (``TransformersGenerator``, what ``rlvr eval`` runs) and the
evaluation through a vLLM server of the same dtype (``EndpointGenerator``, what ``rlvr eval
--endpoint`` runs). Reported: pass@1 of each and how many completions are identical, against the
local float32 run and against the local run of the same dtype (bf16 rounding differs between the
two engines, so bf16 completions drift apart after the first token that flips).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="arithmetic")
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"])
    parser.add_argument("--vllm-python", default=str(
        Path(os.environ.get("RLVR_VLLM_VENV", ROOT / ".venv-vllm")) / "bin" / "python"))
    args = parser.parse_args(argv)

    import torch

    from rlvr.evals.endpoint_generator import EndpointGenerator
    from rlvr.evals.evaluate import evaluate_task
    from rlvr.evals.transformers_generator import TransformersGenerator
    from rlvr.evals.vllm_serve import VllmServe
    from rlvr.tasks import get_task
    from rlvr.trainer.models import load_model_and_tokenizer, resolve_model
    from rlvr.verifiers import VerifierPool

    torch.set_num_threads(1)
    task = get_task(args.task)
    rows = task.load(split=task.eval_split, limit=args.rows)
    runs: dict[str, tuple[float, list[str]]] = {}
    with VerifierPool(1) as pool:
        def record(name: str, generator: Any) -> None:
            result = evaluate_task(task, generator, rows=rows, pool=pool)
            runs[name] = (result.metrics["pass@1"], [s["completion"] for s in result.samples])
            print(f"{name}: pass@1 {runs[name][0]:.3f}", flush=True)

        for dtype in args.dtypes:
            model, tok = load_model_and_tokenizer(dtype=dtype)
            record(f"local {dtype}", TransformersGenerator(model, tok, batch_size=16))
            del model
            with VllmServe(args.vllm_python, resolve_model(None), served_name="m", dtype=dtype) as server, \
                    EndpointGenerator(server.url, server.model) as client:
                record(f"vLLM {dtype}", client)

    print(f"\n{args.task}, first {len(rows)} held-out rows, greedy, task's max new tokens\n")
    print("| run | pass@1 | identical to local float32 | identical to local, same dtype |\n|---|---|---|---|")
    for name, (accuracy, texts) in runs.items():
        dtype = name.split()[-1]
        same = [f"{sum(a == b for a, b in zip(texts, runs[ref][1], strict=True))}/{len(rows)}"
                if ref in runs else "" for ref in ("local float32", f"local {dtype}")]
        print(f"| {name} | {accuracy:.3f} | {same[0]} | {same[1]} |")


if __name__ == "__main__":
    main()
