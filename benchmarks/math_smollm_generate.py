"""Regenerate the raw small-model outputs behind the held-out batch ``math_smollm``.

Rerun:  python benchmarks/math_smollm_generate.py [--task NAME]
(CPU; on the shared 2-core VM arithmetic alone took 12 minutes, so ``--task`` regenerates one
task and replaces its rows.)

Runs ``rlvr eval`` with the default model (SmolLM2-135M-Instruct), one sample per prompt at
temperature 0.7 (top-p 0.95, seed 0), and writes ``benchmarks/data/math_smollm_raw.jsonl``:
one ``{task, id, completion, gold}`` per line.

- ``arithmetic`` (the built-in task, 40 prompts, 64 new tokens);
- ``reasoning_gym:gsm_symbolic`` (30 prompts, 96 new tokens, so many are cut off, as a
  small model's long answers are in training; gold: the row's ``answer``);
- the hand-written MATH-style prompts in ``benchmarks/math_smollm_task.yaml``
  (the first 30 of ``data/math_smollm_prompts.jsonl``, 96 new tokens).

The hand labels live in ``benchmarks/data/math_smollm_cases.jsonl`` (the raw outputs
plus ``expected``); they were written by reading each completion, never by a verifier.
Sampling on another machine or library version may give other text: the labelled
file, not this script's output, is the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
RAW = HERE / "data" / "math_smollm_raw.jsonl"
TASKS = {"arithmetic": ("arithmetic", 40, 64), "gsm_symbolic": ("reasoning_gym:gsm_symbolic", 30, 96),
         "math_smollm_prompts": (str(HERE / "math_smollm_task.yaml"), 30, 96)}


def generate(name: str) -> list[dict]:
    task, prompts, tokens = TASKS[name]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "rlvr.cli", "eval", "--task", task, "--limit", str(prompts),
                        "--max-new-tokens", str(tokens), "--temperature", "0.7", "--top-p", "0.95", "--seed", "0",
                        "--batch-size", str(prompts), "--device", "cpu", "--out", out], check=True, env=env)
        samples = [json.loads(line) for path in sorted(Path(out).glob("samples_*.jsonl"))
                   for line in path.read_text(encoding="utf-8").splitlines()]
    return [{"task": name, "id": s["id"], "completion": s["completion"], "gold": _gold(s)} for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=sorted(TASKS), help="regenerate this task only (default: all)")
    args = parser.parse_args()
    names = [args.task] if args.task else list(TASKS)
    kept = [json.loads(line) for line in RAW.read_text(encoding="utf-8").splitlines()] if RAW.is_file() else []
    rows = [r for r in kept if r["task"] not in names]
    for name in names:
        rows += generate(name)
    rows.sort(key=lambda r: list(TASKS).index(r["task"]))
    RAW.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} completions -> {RAW}")


def _gold(sample: dict) -> str:
    """The short gold answer: a reasoning-gym entry's ``answer``, or the task's boxed reference."""
    reference = sample["reference"]
    if isinstance(reference, dict):
        return str(reference["answer"])
    boxed = re.search(r"\\boxed\{(.*)\}", reference)
    return boxed.group(1) if boxed else str(reference)


if __name__ == "__main__":
    main()
