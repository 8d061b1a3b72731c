"""Lone surrogates against a real `rlvr serve` (issue 9, fifth round): a candidate's exception
message or a completion holding one is that row's business only; no batch is masked with it."""

from __future__ import annotations

import json

import httpx
import pytest

from rlvr.serve.app import dump_scores
from rlvr.tasks import VerifierSpec
from rlvr.tasks.task import build_verifier
from rlvr.verifiers import Score, Status
from rlvr.verifiers.remote import RemoteVerifierPool, request_body

pytestmark = pytest.mark.slow

GOOD = "```python\ndef f(x):\n    return x + 1\n```"
BAD = "```python\ndef f(x):\n    raise ValueError('\\udc80')\n```"  # the message crosses JSON as \udc80
REF = {"asserts": ["assert f(1) == 2"]}
CODE = [{"name": "code"}]


@pytest.mark.docker
def test_a_candidate_message_with_a_lone_surrogate_masks_no_row_of_its_batch(serve_factory):
    server = serve_factory("--workers", "1")
    with RemoteVerifierPool(server.url, attempts=2, backoff_s=0.1, give_up_after_s=120) as pool:
        scores = pool.verify([GOOD, BAD, GOOD], [REF] * 3, verifiers=CODE, timeout_s=60)
        # was: HTTP 500 from the reply's JSON, then infra_error for all three rows
        assert [(s.status, s.value) for s in scores] == [(Status.OK, 1.0), (Status.OK, 0.0), (Status.OK, 1.0)]
        assert "ValueError: \\udc80" in scores[1].details["code"]["details"]["first_error"]
        assert pool.retries == 0
    raw = httpx.post(f"{server.url}/v1/verify", json={"verifiers": CODE, "completions": [BAD], "references": [REF],
                                                      "timeout_s": 60}, timeout=300)
    assert raw.status_code == 200 and raw.json()["scores"][0]["status"] == "ok"


@pytest.mark.docker
def test_a_completion_holding_a_lone_surrogate_is_scored_remotely_as_locally(serve_factory):
    server = serve_factory("--workers", "1")
    specs = [{"name": "math"}]
    completions = ["so \\boxed{5}", "so \\boxed{\ud800 5}", "\udc80 then \\boxed{5}"]
    local = build_verifier([VerifierSpec(**s) for s in specs])
    with RemoteVerifierPool(server.url, attempts=1) as pool:
        # was: UnicodeEncodeError out of the client (httpx encodes JSON as strict UTF-8): the whole batch lost
        remote = pool.verify(completions, ["5"] * 3, verifiers=specs)
        expected = [local(c, "5") for c in completions]
        assert [(s.status, s.value, s.extracted) for s in remote] == [(s.status, s.value, s.extracted) for s in expected]
        assert [s.value for s in remote] == [1.0, 0.0, 1.0] and remote[1].extracted == "\\ud800 5"
        code = pool.verify([GOOD, "```python\ndef f(x):\n    return x + 1  # \udc80\n```"], [REF] * 2, verifiers=CODE,
                           timeout_s=60)
    # the sandbox takes no lone surrogate: parse_error, as CodeVerifier gives locally; its neighbour is scored
    assert [(s.value, s.details["code"]["status"]) for s in code] == [(1.0, "ok"), (0.0, "parse_error")]


def test_the_request_body_is_utf8_json_with_only_lone_surrogates_escaped():
    plain = request_body({"completions": ["naïve 😀"]})
    assert plain == '{"completions":["naïve 😀"]}'.encode()
    lone = request_body({"completions": ["a\udc80", "😀"]})
    # was ASCII JSON for the whole body (12 bytes an emoji: red team round 8 passed the body cap so)
    assert lone == '{"completions":["a\\udc80","😀"]}'.encode()
    assert json.loads(lone) == {"completions": ["a\udc80", "😀"]}


def test_a_score_that_cannot_be_serialised_is_its_rows_error_and_no_one_elses():
    unserialisable = Score.judged(1.0, "x", handle=object())  # a verifier's bug: a detail JSON has no form for
    good = Score.judged(1.0, "1")
    reply = json.loads(dump_scores([good, unserialisable, Score.failed(Status.NO_ANSWER)]))["scores"]
    assert [(s["status"], s["value"]) for s in reply] == [("ok", 1.0), ("error", 0.0), ("no_answer", 0.0)]
    assert "could not be serialised" in reply[1]["details"]["reason"]
    assert reply[0] == json.loads(good.model_dump_json())
