"""GRPO steps with rollouts from rlvr's own sampler (hf) vs a vLLM server, interleaved.

    python benchmarks/vllm_train_ab.py --vllm-python .venv-vllm/bin/python --group-sizes 8 16 64 --steps 2

For every round, group size and engine (the engine order alternates between
rounds, so that a change in machine load hits both), runs ``rlvr train`` on the
main job's config with ``steps``, ``rollout.group_size`` and ``rollout.engine``
set, held-out evaluation off, and reads its ``metrics.jsonl``: seconds per step
(``step_time``: rollout, scoring, loss, backward, optimizer, and for vLLM the
weight push), rollout seconds, and generated tokens per rollout second
(completion tokens, EOS included). The vLLM server's start is outside the steps
(``wall`` includes it). Appends one JSON line per run to
``benchmarks/results/vllm_train_ab.jsonl`` and prints the table. Timings on a
shared machine: read the ratios within one invocation, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rlvr.trainer.config import load_config

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "vllm_train_ab.jsonl"


def run(engine: str, group_size: int, steps: int, vllm_python: str, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"ab-{engine}-g{group_size}-") as tmp:
        sets = [f"steps={steps}", "eval.limit=0", "progress=false", "samples_every=0", f"run_dir={tmp}/run",
                f"rollout.group_size={group_size}", f"rollout.engine={engine}", *extra]
        if engine == "vllm":
            sets.append(f"rollout.vllm.python={vllm_python}")
        cmd = [sys.executable, "-m", "rlvr.cli", "train"] + [a for s in sets for a in ("--set", s)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
        rows = [json.loads(line) for line in (Path(tmp) / "run" / "metrics.jsonl").read_text().splitlines()]
    steps_rows = [r for r in rows if "step_time" in r]
    prompts = load_config(None, extra).rollout.prompts_per_step
    tokens = [r["completions/mean_length"] * prompts * group_size for r in steps_rows]
    return {"engine": engine, "group_size": group_size, "steps": len(steps_rows), "wall_s": wall,
            "step_time": [r["step_time"] for r in steps_rows], "rollout_time": [r["rollout_time"] for r in steps_rows],
            "gen_tokens": tokens, "reward": [r.get("reward") for r in steps_rows],
            "logp_gap_mean": [r.get("sampling/sampling_logp_difference/mean") for r in steps_rows],
            "load_avg": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vllm-python", default=str(ROOT / ".venv-vllm" / "bin" / "python"))
    parser.add_argument("--group-sizes", type=int, nargs="+", default=[8, 16, 64])
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--set", dest="extra", action="append", default=[], help="more rlvr train --set overrides")
    args = parser.parse_args()
    results = []
    for rnd in range(args.rounds):
        for g in args.group_sizes:
            for engine in (("hf", "vllm") if rnd % 2 == 0 else ("vllm", "hf")):
                r = run(engine, g, args.steps, args.vllm_python, args.extra) | {"round": rnd}
                results.append(r)
                RESULTS.parent.mkdir(parents=True, exist_ok=True)
                with open(RESULTS, "a") as f:
                    f.write(json.dumps(r | {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}) + "\n")
                print(f"{engine} G={g}: step {statistics.median(r['step_time']):.1f}s "
                      f"rollout {statistics.median(r['rollout_time']):.1f}s load {r['load_avg']:.1f}", flush=True)
    print("\n| G | engine | median s/step | median rollout s | gen tokens/rollout s | vllm/hf s/step |")
    print("|---|---|---|---|---|---|")
    for g in args.group_sizes:
        med = {}
        for engine in ("hf", "vllm"):
            rs = [r for r in results if r["group_size"] == g and r["engine"] == engine]
            step = statistics.median(t for r in rs for t in r["step_time"])
            roll = statistics.median(t for r in rs for t in r["rollout_time"])
            tps = sum(sum(r["gen_tokens"]) for r in rs) / sum(sum(r["rollout_time"]) for r in rs)
            med[engine] = step
            ratio = f"{med['vllm'] / med['hf']:.2f}" if engine == "vllm" else ""
            print(f"| {g} | {engine} | {step:.1f} | {roll:.1f} | {tps:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
