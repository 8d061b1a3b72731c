"""Faults against real servers: a replica killed mid-batch, overload, shutdown, token, size caps, bad JSON."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import psutil
import pytest

from rlvr.serve import serve
from rlvr.tasks import get_task
from rlvr.verifiers import Status
from rlvr.verifiers.remote import RemoteVerifierError, RemoteVerifierPool

pytestmark = pytest.mark.slow
ARITHMETIC = ("--task", "arithmetic", "--workers", "1")


def _rows(n: int) -> tuple[list[str], list[str]]:
    """Cheap math rows; every third one is wrong, so a lost or shuffled row changes the values."""
    return [f"so \\boxed{{{i + (i % 3 == 0)}}}" for i in range(n)], [str(i) for i in range(n)]


def _expected(n: int) -> list[float]:
    return [0.0 if i % 3 == 0 else 1.0 for i in range(n)]


def test_a_replica_killed_during_a_batch_loses_no_row(serve_factory):
    a, b = serve_factory(*ARITHMETIC), serve_factory(*ARITHMETIC)
    n = 1500
    completions, references = _rows(n)
    pool = RemoteVerifierPool([a.url, b.url], rows_per_request=50, max_parallel=4, backoff_s=0.05)
    result: list = []
    worker = threading.Thread(target=lambda: result.extend(
        pool.map(get_task("arithmetic").verifier(), completions, references, timeout_s=10)))
    worker.start()
    deadline = time.monotonic() + 60
    while a.metric("rlvr_serve_rows_total") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.is_alive(), "the batch ended before the replica could be killed"
    a.process.send_signal(signal.SIGKILL)
    worker.join(timeout=300)
    assert len(result) == n
    assert [s.status for s in result] == [Status.OK] * n
    assert [s.value for s in result] == _expected(n)
    assert pool.retries >= 1  # requests that were on the dead replica went to the other one
    assert b.metric("rlvr_serve_rows_total") > 0


def test_overload_answers_429_keeps_memory_bounded_and_every_row_is_answered(serve_factory):
    server = serve_factory(*ARITHMETIC, "--max-queue-rows", "100")
    rss = psutil.Process(server.process.pid)
    before = rss.memory_info().rss
    peak = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    clients, per_client = 16, 60
    completions, references = _rows(per_client)
    verifier = get_task("arithmetic").verifier()
    results: list[list] = [[] for _ in range(clients)]

    def client(i: int) -> None:
        with RemoteVerifierPool(server.url, backoff_s=0.05) as pool:
            results[i] = pool.map(verifier, completions, references, timeout_s=10)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    stop.set()
    sampler.join()
    assert server.metric("rlvr_serve_requests_total", endpoint="/v1/verify", code="429") > 0
    assert all([s.value for s in r] == _expected(per_client) for r in results)
    assert server.metric("rlvr_serve_rows_total") == clients * per_client
    assert peak[0] - before < 100 << 20  # the queue is bounded in rows, so memory is too


def test_shutdown_finishes_the_request_in_flight(serve_factory):
    server = serve_factory(*ARITHMETIC)
    # symbolic rows (sympy expands each: milliseconds a row), so 1,000 of them keep the one worker
    # busy for seconds whatever the machine; every third one is wrong
    completions = [f"so \\boxed{{(x+{i})^2}}" for i in range(1000)]
    references = [f"x^2+{2 * i}x+{i * i + (i % 3 == 0)}" for i in range(1000)]
    reply: list = []
    sender = threading.Thread(target=lambda: reply.append(httpx.post(
        f"{server.url}/v1/verify", json={"task": "arithmetic", "completions": completions,
                                         "references": references}, timeout=120)))
    sender.start()
    time.sleep(1.0)  # sent and being scored
    assert sender.is_alive()
    server.process.send_signal(signal.SIGTERM)
    sender.join(timeout=120)
    assert reply[0].status_code == 200
    assert [s["value"] for s in reply[0].json()["scores"]] == _expected(1000)
    assert server.process.wait(timeout=60) == -signal.SIGTERM  # uvicorn re-raises the signal once drained


def test_token_is_required_and_checked(serve_factory):
    server = serve_factory(*ARITHMETIC, token="s3cret-token")
    body = {"task": "arithmetic", "completions": ["\\boxed{2}"], "references": ["2"]}
    assert httpx.post(f"{server.url}/v1/verify", json=body).status_code == 401
    wrong = httpx.post(f"{server.url}/v1/verify", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    right = httpx.post(f"{server.url}/v1/verify", json=body, headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200 and right.json()["scores"][0]["value"] == 1.0
    # Peer clients that cannot set headers (OpenRLHF, verl, sandbox-fusion) put it in the URL.
    reward = httpx.post(f"{server.url}/get_reward?token=s3cret-token",
                        json={"query": ["p \\boxed{2}"], "prompts": ["p"], "labels": ["2"]})
    assert reward.json()["rewards"] == [1.0]
    assert httpx.get(f"{server.url}/healthz").status_code == 200  # load balancers probe without it
    assert httpx.get(f"{server.url}/metrics").status_code == 401
    with pytest.raises(RemoteVerifierError, match="401"), RemoteVerifierPool(server.url, token="nope") as pool:
        pool.verify(["\\boxed{2}"], ["2"], task="arithmetic")
    with RemoteVerifierPool(server.url, token="s3cret-token") as pool:
        assert pool.verify(["\\boxed{2}"], ["2"], task="arithmetic")[0].value == 1.0


def test_binding_beyond_loopback_without_a_token_is_refused():
    with pytest.raises(ValueError, match="token"):
        serve(host="0.0.0.0", port=1)


def test_size_caps_and_bad_json(math_server):
    url = f"{math_server.url}/v1/verify"
    huge = httpx.post(url, content=b'{"completions": ["' + b"x" * (17 << 20) + b'"]}',
                      headers={"content-type": "application/json"})
    assert huge.status_code == 413
    many = httpx.post(url, json={"task": "arithmetic", "completions": ["x"] * 5000, "references": ["1"] * 5000})
    assert many.status_code == 413 and "batch cap" in many.json()["detail"]
    garbage = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert garbage.status_code == 422 and garbage.json()["detail"][0]["type"] == "json_invalid"
    wrong_type = httpx.post(url, json={"task": "arithmetic", "completions": "x", "references": []})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["detail"][0]["loc"] == ["body", "completions"]
    mismatch = httpx.post(url, json={"task": "arithmetic", "completions": ["a", "b"], "references": ["1"]})
    assert mismatch.status_code == 422 and mismatch.json()["detail"][0]["loc"] == ["body", "references"]
    assert math_server.metric("rlvr_serve_requests_total", endpoint="/v1/verify", code="422") >= 3


def test_every_replica_down_ends_as_infra_error_never_zero():
    with RemoteVerifierPool("http://127.0.0.1:9,http://127.0.0.1:7", attempts=3, backoff_s=0.01) as pool:
        scores = pool.verify(["\\boxed{1}"] * 3, ["1"] * 3, task="arithmetic")
    assert [s.status for s in scores] == [Status.INFRA_ERROR] * 3
    assert not any(s.is_scored for s in scores)
    assert "ConnectError" in scores[0].details["message"]
