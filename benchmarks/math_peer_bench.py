"""rlvr MathVerifier vs Math-Verify 0.9 on the peers' own test cases and on real small-model outputs.

Rerun:  python benchmarks/math_peer_bench.py [--json out.json] [--show-misses]

Two sets, both verifiers in one run:

- the peer set, ``../shared/benchmarks/math_peer_cases.jsonl`` from the repository root
  (439 cases taken verbatim from Math-Verify's, hendrycks/math's, NeMo-Skills', Qwen2.5-Math's,
  verl's and open-r1's test suites; not in this repository). rlvr is called as a new user
  would: ``MathVerifier()(prediction, gold)``. Math-Verify is called as each test calls it
  (``mv``: the test's ``compare_strings`` helper with its match types, precision, strictness
  and set-relation flag, or ``verify(parse(gold), parse(prediction))``), each call in a
  worker's main thread so its ``signal.alarm`` timeouts work. The 12 cases flagged
  ``config`` / ``parser`` (the label depends on a peer setting) are reported apart; the
  headline is the other 427, per source group, with every false accept listed.
- the held-out batch ``benchmarks/data/math_smollm_cases.jsonl``: SmolLM2-135M-Instruct's own
  outputs on arithmetic, gsm_symbolic and MATH-style prompts, labelled by hand
  (``benchmarks/math_smollm_generate.py``); Math-Verify runs in its recommended setup there
  (gold wrapped in ``\\boxed{}``, default extraction), as in ``math_verify_bench.py``.
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

ROOT = Path(__file__).resolve().parent.parent
# Beside the clone (``<repo root>/../shared``, as in CI), or beside a folder of worktrees.
PEER_CASES = next((p / "shared" / "benchmarks" / "math_peer_cases.jsonl" for p in ROOT.parents
                   if (p / "shared" / "benchmarks" / "math_peer_cases.jsonl").is_file()),
                  ROOT.parent / "shared" / "benchmarks" / "math_peer_cases.jsonl")
SMOLLM_CASES = Path(__file__).parent / "data" / "math_smollm_cases.jsonl"
FLAGGED = ("config", "parser")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def source_group(case: dict[str, Any]) -> str:
    return "Math-Verify's own tests" if case["source"].startswith("Math-Verify") else "other peers' tests"


def math_verify_as_tested(case: dict[str, Any]) -> bool:
    """Math-Verify called as the case's own test calls it; an exception counts as "not correct"."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    mv, gold, pred = case["mv"], case["gold"], case["prediction"]
    try:
        if mv["call"] == "verify_parse_default":
            return bool(verify(parse(gold), parse(pred)))
        configs: list[Any] = [LatexExtractionConfig(boxed_match_priority=0) if t == "latex" else ExprExtractionConfig()
                              for t in mv.get("match_types", ["latex", "expr"])]
        return bool(verify(parse(gold, configs), parse(pred, configs), float_rounding=mv.get("precision", 6),
                           strict=mv.get("strict", True),
                           allow_set_relation_comp=mv.get("allow_set_relation_comp", False)))
    except Exception:
        return False


def math_verify_recommended(case: dict[str, Any]) -> bool:
    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    gold = case["gold"]
    try:
        return bool(verify(parse(gold if "\\boxed" in gold else f"\\boxed{{{gold}}}"), parse(case["completion"])))
    except Exception:
        return False


def tally(cases: list[dict[str, Any]], verdicts: list[bool]) -> dict[str, Any]:
    right = sum(v == c["expected"] for c, v in zip(cases, verdicts, strict=True))
    return {"right": right, "of": len(cases), "pct": round(100 * right / max(1, len(cases)), 1),
            "false_accepts": sum(v and not c["expected"] for c, v in zip(cases, verdicts, strict=True))}


def report(cases: list[dict[str, Any]], ours: list[bool], peer: list[bool], group: Any) -> dict[str, Any]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        groups["all"].append(i)
        groups[group(case)].append(i)
    out = {}
    for name, idx in groups.items():
        subset = [cases[i] for i in idx]
        out[name] = {"rlvr": tally(subset, [ours[i] for i in idx]),
                     "math_verify": tally(subset, [peer[i] for i in idx])}
    return out


def false_accepts(cases: list[dict[str, Any]], verdicts: list[bool], key: str) -> list[str]:
    return [f"{c.get('id', '')}: {c[key]!r} for gold {c['gold']!r}"
            for c, v in zip(cases, verdicts, strict=True) if v and not c["expected"]]


def run_peer_set(verifier: Any, workers: int, show_misses: bool) -> dict[str, Any]:
    cases = load_jsonl(PEER_CASES)
    latencies, ours = [], []
    for case in cases:
        start = time.perf_counter()
        ours.append(bool(verifier(case["prediction"], case["gold"]).correct))
        latencies.append(time.perf_counter() - start)
    with mp.get_context("fork").Pool(workers) as pool:
        peer = pool.map(math_verify_as_tested, cases, chunksize=1)
    main = [i for i, c in enumerate(cases) if not set(c["flags"]) & set(FLAGGED)]
    flagged = [i for i in range(len(cases)) if i not in set(main)]
    pick = lambda idx, xs: [xs[i] for i in idx]  # noqa: E731
    main_cases = pick(main, cases)
    result: dict[str, Any] = {
        "cases": len(cases),
        "headline": report(main_cases, pick(main, ours), pick(main, peer), source_group),
        "per_source": report(main_cases, pick(main, ours), pick(main, peer), lambda c: c["source"]),
        "flagged": report(pick(flagged, cases), pick(flagged, ours), pick(flagged, peer), lambda c: "flagged"),
        "rlvr_false_accepts": false_accepts(main_cases, pick(main, ours), "prediction"),
        "math_verify_false_accepts": false_accepts(main_cases, pick(main, peer), "prediction"),
        "rlvr_latency_ms": {"p50": 1000 * statistics.median(latencies),
                            "max": 1000 * max(latencies), "total_s": sum(latencies)},
    }
    if show_misses:
        result["rlvr_misses"] = [f"{c['id']} {c['source'][:20]} expected={c['expected']}: "
                                 f"{c['prediction'][-120:]!r} vs gold {c['gold'][:80]!r}"
                                 for c, v in zip(main_cases, pick(main, ours), strict=True) if v != c["expected"]]
    return result


def run_smollm(verifier: Any, workers: int, show_misses: bool) -> dict[str, Any]:
    cases = load_jsonl(SMOLLM_CASES)
    ours = [bool(verifier(c["completion"], c["gold"]).correct) for c in cases]
    with mp.get_context("fork").Pool(workers) as pool:
        peer = pool.map(math_verify_recommended, cases, chunksize=1)
    result: dict[str, Any] = {
        "cases": len(cases), "correct_by_label": sum(c["expected"] for c in cases),
        "by_task": report(cases, ours, peer, lambda c: c["task"]),
        "rlvr_false_accepts": false_accepts(cases, ours, "completion"),
        "math_verify_false_accepts": false_accepts(cases, peer, "completion"),
    }
    if show_misses:
        result["rlvr_misses"] = [f"{c['task']}/{c['id']} expected={c['expected']}: {c['completion'][-160:]!r} "
                                 f"vs gold {c['gold']!r}" for c, v in zip(cases, ours, strict=True)
                                 if v != c["expected"]]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--show-misses", action="store_true", help="list rlvr's wrong verdicts")
    args = parser.parse_args()

    from rlvr.verifiers import MathVerifier

    verifier = MathVerifier()
    verifier("\\boxed{1}", "1")  # warm (imports) before timing
    results: dict[str, Any] = {}
    if PEER_CASES.is_file():
        results["peer_set"] = run_peer_set(verifier, args.workers, args.show_misses)
    else:
        results["peer_set"] = f"skipped: {PEER_CASES} is absent (it sits beside the clone, in shared/)"
    if SMOLLM_CASES.is_file():
        results["smollm_holdout"] = run_smollm(verifier, args.workers, args.show_misses)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
