"""MathVerifier speed, this checkout against another (an older commit), interleaved in one sitting.

Rerun (the other checkout in its own worktree, with a venv where rlvr is installed from it):

    git worktree add ../math-old 7790b92   # + a venv there with `pip install --no-deps -e .`
    flock /work/locks/bench.lock python benchmarks/math_ab_bench.py --other ../math-old/.venv/bin/python

Each round runs one fresh process per side, in alternating order (AB, BA, AB, ...), so load that
comes and goes on a shared machine hits both sides alike. A process scores the same cases with its
own ``MathVerifier()``: this checkout's own set, the peer set (when ``../shared`` is there) and the
held-out batch, read from this checkout's files. It measures

- latency, per set (own set first): ``--repeats`` sequential passes over the set in the main
  process, each case's fastest time kept (other processes' load only ever adds time), right after
  a warm-up pass over that set (so imports, sympy's first call and the gold cache are not
  charged): p50, p95, and the total of those per-case times;
- throughput: the own set, then all sets, through a fork ``multiprocessing.Pool`` of ``--workers``
  (the same harness on both sides, so it measures the verifier, not the pool code of either commit);
  the fastest of ``--repeats`` passes (a single pass swung 0.5-2.6x between rounds on a shared machine).

The own set is the yardstick for "no slower": on the peer set the older verifier refuses most
answers in microseconds (no answer found), so reading them costs more by design.

Printed: each round's numbers, then per set and metric the medians over rounds per side, the ratio
of medians and the per-round ratios (this / other: above 1 is slower for latency, faster for
throughput).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

def case_files() -> dict[str, Path]:
    """The sets by name: own (730), smollm (the held-out batch), peer (when ``shared/`` is found)."""
    files = {"own": HERE / "data" / "math_cases.jsonl", "smollm": HERE / "data" / "math_smollm_cases.jsonl"}
    peer = next((p / "shared" / "benchmarks" / "math_peer_cases.jsonl" for p in ROOT.parents
                 if (p / "shared" / "benchmarks" / "math_peer_cases.jsonl").is_file()), None)
    return {**files, "peer": peer} if peer else files


def load_pairs(path: Path) -> list[tuple[str, str]]:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(c.get("completion", c.get("prediction")), c["gold"]) for c in cases]


_VERIFIER: Any = None


def _score_chunk(chunk: list[tuple[str, str]]) -> int:
    return sum(_VERIFIER(c, g).value >= 1.0 for c, g in chunk)


def measure(workers: int, repeats: int) -> dict[str, Any]:
    """One side's numbers, in this process (run by ``--measure``)."""
    global _VERIFIER
    from rlvr.verifiers import MathVerifier

    _VERIFIER = MathVerifier()
    sets = {name: load_pairs(path) for name, path in case_files().items()}
    pairs = [pair for set_pairs in sets.values() for pair in set_pairs]
    result: dict[str, Any] = {"rlvr": str(Path(sys.modules[MathVerifier.__module__].__file__ or "").parent)}
    for name, set_pairs in sets.items():
        for completion, gold in set_pairs:  # warm-up: imports, sympy's first call and cache, the gold cache
            _VERIFIER(completion, gold)
        latencies = [float("inf")] * len(set_pairs)
        for _ in range(repeats):  # whole passes, so no case is timed right after itself (warm caches)
            for i, (completion, gold) in enumerate(set_pairs):
                start = time.perf_counter()
                _VERIFIER(completion, gold)
                latencies[i] = min(latencies[i], time.perf_counter() - start)
        ordered = sorted(latencies)
        result[name] = {"cases": len(set_pairs), "p50_ms": 1000 * statistics.median(ordered),
                        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))], "total_s": sum(latencies)}
    for name, throughput_pairs in (("own", sets["own"]), ("all", pairs)):
        chunks = [throughput_pairs[i:i + 16] for i in range(0, len(throughput_pairs), 16)]
        with mp.get_context("fork").Pool(workers) as pool:  # workers inherit the warm verifier
            pool.map(_score_chunk, chunks[:workers])
            pool_s = float("inf")
            for _ in range(repeats):  # the fastest pass, as for latency: other processes' load only adds time
                start = time.perf_counter()
                right = sum(pool.map(_score_chunk, chunks, chunksize=1))
                pool_s = min(pool_s, time.perf_counter() - start)
        result.setdefault(name, {}).update(scored_one=right, cases_per_s=len(throughput_pairs) / pool_s)
    return result


def run_side(python: str, workers: int, repeats: int) -> dict[str, Any]:
    out = subprocess.run([python, str(Path(__file__).resolve()), "--measure", "--workers", str(workers),
                          "--repeats", str(repeats)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", help="python of the other checkout's venv (rlvr installed from it)")
    parser.add_argument("--this", default=sys.executable, help="python for this checkout (default: this one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="timings per case; the fastest is kept")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.workers, args.repeats)))
        return
    if not args.other:
        parser.error("--other is required")
    sides = {"this": args.this, "other": args.other}
    runs: dict[str, list[dict[str, Any]]] = {"this": [], "other": []}
    for round_no in range(args.rounds):
        order = ["this", "other"] if round_no % 2 == 0 else ["other", "this"]
        for side in order:
            runs[side].append(run_side(sides[side], args.workers, args.repeats))
            print(json.dumps({"round": round_no, "side": side, "load": os.getloadavg()[0], **runs[side][-1]}),
                  flush=True)
    metrics = [(name, key) for name in runs["this"][0] if name not in ("rlvr", "all")
               for key in ("p50_ms", "p95_ms", "total_s")] + [("own", "cases_per_s"), ("all", "cases_per_s")]
    summary = {}
    for name, key in metrics:
        this, other = ([r[name][key] for r in runs[side]] for side in ("this", "other"))
        summary[f"{name} {key}"] = {
            "this": round(statistics.median(this), 4), "other": round(statistics.median(other), 4),
            "ratio": round(statistics.median(this) / statistics.median(other), 3),
            "per_round": [round(t / o, 3) for t, o in zip(this, other, strict=True)]}
    print(json.dumps(summary, indent=1))

if __name__ == "__main__":
    main()
