"""rlvr MathVerifier vs Math-Verify 0.9 on benchmarks/data/math_cases.jsonl, in one run.

Rerun:  python benchmarks/math_verify_bench.py [--workers 2] [--json out.json]

What is measured, for both verifiers, on the same labelled cases:

- accuracy (the verdict ``correct`` equals the hand label), false accepts (a wrong
  answer scored correct; hacking cases counted separately), false rejects;
- per-case latency, sequential in the main process (p50, p99, max) and its total;
- throughput with the same number of worker processes: our ``VerifierPool`` of N
  against a ``multiprocessing.Pool`` of N running Math-Verify (each Math-Verify
  call then runs in its worker's main thread, where its ``signal.alarm`` timeouts
  work: its best working mode);
- deadlines: every pathological case through ``verify_batch`` with a 1 s deadline,
  wall time per case (target: under deadline + 0.5 s).

Math-Verify runs in its recommended setup: ``parse(completion)`` with its default
extraction configs, gold wrapped in ``\\boxed{}`` before ``parse``, then
``verify(gold, pred)``; an exception counts as "not correct".
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "data" / "math_cases.jsonl"


def load_cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def math_verify_correct(case: tuple[str, str]) -> bool:
    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.CRITICAL)  # it logs every timeout with the input

    completion, gold = case
    try:
        gold_parsed = parse(gold if "\\boxed" in gold else f"\\boxed{{{gold}}}")
        return bool(verify(gold_parsed, parse(completion)))
    except Exception:
        return False


def ours_correct(verifier: Any, case: tuple[str, str]) -> bool:
    return bool(verifier(*case).correct)


def sequential(fn: Any, cases: list[dict[str, Any]]) -> tuple[list[bool], list[float]]:
    verdicts, latencies = [], []
    for case in cases:
        start = time.perf_counter()
        verdicts.append(fn((case["completion"], case["gold"])))
        latencies.append(time.perf_counter() - start)
    return verdicts, latencies


def summarise(cases: list[dict[str, Any]], verdicts: list[bool], latencies: list[float]) -> dict[str, Any]:
    labels = [c["expected"] for c in cases]
    hacking = [c["category"] == "hacking" for c in cases]
    ordered = sorted(latencies)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case, verdict in zip(cases, verdicts, strict=True):
        by_category[case["category"]][0] += verdict == case["expected"]
        by_category[case["category"]][1] += 1
    return {
        "accuracy": sum(v == e for v, e in zip(verdicts, labels, strict=True)) / len(cases),
        "false_accepts": sum(v and not e for v, e in zip(verdicts, labels, strict=True)),
        "false_rejects": sum(e and not v for v, e in zip(verdicts, labels, strict=True)),
        "hacking_false_accepts": sum(v and h and not e for v, h, e in zip(verdicts, hacking, labels, strict=True)),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "max_ms": 1000 * ordered[-1],
        "total_s": sum(latencies),
        "by_category": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_category.items())},
        "by_split": {split: f"{sum(v == c['expected'] for c, v in zip(cases, verdicts, strict=True) if c['split'] == split)}"
                            f"/{sum(c['split'] == split for c in cases)}" for split in sorted({c["split"] for c in cases})},
    }


def throughput(cases: list[dict[str, Any]], workers: int) -> dict[str, float]:
    from rlvr.verifiers import MathVerifier, VerifierPool

    pairs = [(c["completion"], c["gold"]) for c in cases]
    verifier = MathVerifier()
    with VerifierPool(workers) as pool:
        pool.map(verifier, ["\\boxed{1}"] * workers, ["1"] * workers)  # warm the workers
        start = time.perf_counter()
        scores = pool.map(verifier, [p[0] for p in pairs], [p[1] for p in pairs], timeout_s=5.0)
        ours_s = time.perf_counter() - start
    with mp.get_context("fork").Pool(workers) as peer:
        peer.map(math_verify_correct, [("\\boxed{1}", "1")] * workers)  # warm the workers
        start = time.perf_counter()
        peer.map(math_verify_correct, pairs, chunksize=1)
        peer_s = time.perf_counter() - start
    return {
        "workers": workers,
        "ours_cases_per_s": len(pairs) / ours_s,
        "math_verify_cases_per_s": len(pairs) / peer_s,
        "ratio": peer_s / ours_s,
        "ours_timeouts": sum(s.status.value == "timeout" for s in scores),
    }


def deadlines(cases: list[dict[str, Any]], deadline_s: float = 1.0) -> dict[str, Any]:
    from rlvr.verifiers import MathVerifier, VerifierPool

    verifier = MathVerifier()
    walls = []
    with VerifierPool(1) as pool:
        pool.map(verifier, ["\\boxed{1}"], ["1"])
        for case in cases:
            start = time.perf_counter()
            pool.map(verifier, [case["completion"]], [case["gold"]], timeout_s=deadline_s)
            walls.append(time.perf_counter() - start)
    return {"deadline_s": deadline_s, "cases": len(cases), "max_wall_s": max(walls),
            "over_deadline_plus_0.5s": sum(w > deadline_s + 0.5 for w in walls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from rlvr.verifiers import MathVerifier

    cases = load_cases()
    verifier = MathVerifier()
    math_verify_correct(("\\boxed{1}", "1"))  # import and warm both before timing
    verifier("\\boxed{1}", "1")
    ours = summarise(cases, *sequential(lambda c: ours_correct(verifier, c), cases))
    peer = summarise(cases, *sequential(math_verify_correct, cases))
    results = {
        "cases": len(cases),
        "hacking_cases": sum(c["category"] == "hacking" for c in cases),
        "rlvr": ours,
        "math_verify": peer,
        "throughput": throughput(cases, args.workers),
        "throughput_without_pathological": throughput(
            [c for c in cases if c["category"] != "pathological"], args.workers),
        "deadlines": deadlines([c for c in cases if c["category"] == "pathological"]),
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
