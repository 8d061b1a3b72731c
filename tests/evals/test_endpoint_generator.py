"""``EndpointGenerator`` against a real HTTP server on loopback that plays an OpenAI-compatible one.

The fake answers /v1/chat/completions from a script (statuses, delays, bodies) and records every
request, so retries, backoff, the concurrency bound and the error paths are checked over real
sockets. That the generator works with a real inference server is tests/evals/test_endpoint_vllm.py.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

from rlvr.evals.endpoint_generator import EndpointError, EndpointGenerator
from rlvr.evals.generation import SamplingParams

Reply = tuple[int, dict[str, str], bytes]  # status, headers, body


def chat_reply(text: str, finish_reason: str = "stop", **choice: Any) -> Reply:
    body = {"id": "x", "object": "chat.completion", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason, **choice}]}
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def echo(request: dict[str, Any]) -> Reply:
    """Answers with the last user message and the sample's seed, so order and seeds can be checked."""
    return chat_reply(f"{request['messages'][-1]['content']}|{request.get('seed')}")


@dataclass
class FakeServer:
    url: str
    respond: Callable[[dict[str, Any]], Reply] = echo
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with fake.lock:
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                fake.arrivals.append(time.monotonic())
                fake.in_flight += 1
                fake.peak_in_flight = max(fake.peak_in_flight, fake.in_flight)
            try:
                status, headers, payload = fake.respond(body) if self.path == "/v1/chat/completions" \
                    else (404, {}, b"no such route")
            finally:
                with fake.lock:
                    fake.in_flight -= 1
            self.send_response(status)
            for key, value in {**headers, "Content-Length": str(len(payload))}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()


def conversations(n: int) -> list[list[dict[str, str]]]:
    return [[{"role": "system", "content": "be brief"}, {"role": "user", "content": f"q{i}"}] for i in range(n)]


def fast(url: str, **kwargs: Any) -> EndpointGenerator:
    return EndpointGenerator(url, "served-name", **{"backoff_s": 0.01, "max_backoff_s": 0.05, **kwargs})


def test_requests_carry_the_conversation_sampling_and_key_and_answers_come_back_in_order(server):
    params = SamplingParams(n=3, max_new_tokens=17, temperature=0.7, top_p=0.9, seed=100)
    with fast(server.url + "/v1/", api_key="sk-test", concurrency=4) as generator:
        out = generator.generate(conversations(4), params)
    assert [[c.text for c in cs] for cs in out] == [[f"q{i}|{100 + s}" for s in range(3)] for i in range(4)]
    assert all(c.finished is True and c.token_ids == [] for cs in out for c in cs)
    assert len(server.requests) == 12
    first = next(r for r in server.requests if r["messages"][-1]["content"] == "q0" and r["seed"] == 100)
    assert first == {"model": "served-name", "messages": conversations(1)[0], "n": 1, "max_tokens": 17,
                     "temperature": 0.7, "top_p": 0.9, "seed": 100}
    assert {h["Authorization"] for h in server.headers} == {"Bearer sk-test"}


def test_greedy_sends_no_seed_and_no_key_unless_given(server):
    with fast(server.url) as generator:  # base URL without /v1
        out = generator.generate(conversations(2), SamplingParams(n=1, temperature=0.0))
    assert [cs[0].text for cs in out] == ["q0|None", "q1|None"]
    assert all("seed" not in r and r["temperature"] == 0.0 for r in server.requests)
    assert all("Authorization" not in h for h in server.headers)


def test_finish_reason_and_token_ids_are_read(server):
    replies = {"q0": chat_reply("cut", "length", token_ids=[5, 6]), "q1": chat_reply("odd", "content_filter")}
    server.respond = lambda r: replies[r["messages"][-1]["content"]]
    with fast(server.url, extra_body={"return_token_ids": True}) as generator:
        out = generator.generate(conversations(2), SamplingParams())
    assert [(c.text, c.token_ids, c.finished) for cs in out for c in cs] == [
        ("cut", [5, 6], False), ("odd", [], None)]
    assert all(r["return_token_ids"] is True for r in server.requests)


def _fail_first(times: int, status: int, headers: dict[str, str] | None = None) -> Callable[[dict], Reply]:
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def respond(request: dict[str, Any]) -> Reply:
        key = request["messages"][-1]["content"]
        with lock:
            seen[key] = seen.get(key, 0) + 1
            count = seen[key]
        if count <= times:
            return status, headers or {}, b'{"error": "busy"}'
        return echo(request)
    return respond


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 408])
def test_retryable_statuses_are_retried_until_they_pass(server, status):
    server.respond = _fail_first(2, status)
    with fast(server.url, attempts=3) as generator:
        out = generator.generate(conversations(3), SamplingParams())
    assert [cs[0].text for cs in out] == ["q0|None", "q1|None", "q2|None"]
    assert len(server.requests) == 9
    assert generator.retries == 6


def test_backoff_waits_the_retry_after_the_server_asks_for(server):
    server.respond = _fail_first(1, 429, {"Retry-After": "0.4"})
    with fast(server.url, max_backoff_s=5.0) as generator:
        generator.generate(conversations(1), SamplingParams())
    assert len(server.arrivals) == 2
    assert 0.4 <= server.arrivals[1] - server.arrivals[0] < 2.0


def test_backoff_grows_exponentially_between_attempts(server):
    server.respond = _fail_first(3, 503)
    with EndpointGenerator(server.url, "m", backoff_s=0.1, max_backoff_s=10.0) as generator:
        generator.generate(conversations(1), SamplingParams())
    gaps = [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]
    # jitter draws each wait from [0.5, 1.0] x 0.1 x 2^attempt
    assert [0.05 <= gaps[0] < 0.3, 0.1 <= gaps[1] < 0.4, 0.2 <= gaps[2] < 0.6] == [True] * 3


def test_an_unreadable_200_is_retried(server):
    bodies = iter([(200, {}, b"<html>proxy error</html>"), chat_reply("fine")])
    server.respond = lambda r: next(bodies)
    with fast(server.url) as generator:
        out = generator.generate(conversations(1), SamplingParams())
    assert out[0][0].text == "fine"
    assert generator.retries == 1


def test_retries_running_out_raise_with_the_last_failure_never_a_completion(server):
    server.respond = lambda r: (503, {}, b"overloaded")
    with fast(server.url, attempts=4) as generator, pytest.raises(EndpointError) as info:
        generator.generate(conversations(1), SamplingParams())
    assert "no answer after 4 attempts" in str(info.value)
    assert "HTTP 503: overloaded" in str(info.value)
    assert len(server.requests) == 4


def test_a_non_retryable_status_raises_at_once_with_the_servers_message(server):
    server.respond = lambda r: (404, {}, b'{"error": "The model `served-name` does not exist."}')
    with fast(server.url, attempts=5) as generator, pytest.raises(EndpointError) as info:
        generator.generate(conversations(1), SamplingParams())
    assert "HTTP 404" in str(info.value) and "does not exist" in str(info.value)
    assert len(server.requests) == 1


def test_one_refused_request_stops_the_others_from_retrying(server):
    def respond(request: dict[str, Any]) -> Reply:
        if request["messages"][-1]["content"] == "q0":
            return 400, {}, b"prompt too long"
        time.sleep(0.1)
        return 503, {}, b"busy"
    server.respond = respond
    with fast(server.url, attempts=50, backoff_s=0.2, max_backoff_s=0.2, concurrency=4) as generator:
        started = time.monotonic()
        with pytest.raises(EndpointError, match="prompt too long"):
            generator.generate(conversations(40), SamplingParams())
        assert time.monotonic() - started < 3.0  # 50 attempts x 0.2 s each would take 10 s
    time.sleep(0.5)  # requests in flight when it raised end without another try
    assert len(server.requests) <= 8


def test_a_server_that_is_not_there_is_an_error_after_the_attempts():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        with fast(f"http://127.0.0.1:{port}", attempts=3) as generator, pytest.raises(EndpointError) as info:
            generator.generate(conversations(1), SamplingParams())
    assert "no answer after 3 attempts" in str(info.value) and "ConnectError" in str(info.value)


def test_at_most_concurrency_requests_are_in_flight(server):
    def slow(request: dict[str, Any]) -> Reply:
        time.sleep(0.1)
        return echo(request)
    server.respond = slow
    with fast(server.url, concurrency=3) as generator:
        out = generator.generate(conversations(6), SamplingParams(n=2, temperature=1.0))
    assert len(server.requests) == 12 and len(out) == 6
    assert server.peak_in_flight == 3


def test_rlvr_eval_endpoint_writes_the_same_result_files_as_local_eval(server, tmp_path, monkeypatch):
    from rlvr.cli.main import app
    from rlvr.tasks import get_task

    task = get_task("arithmetic")
    rows = task.load(split=task.eval_split, limit=6)
    answers = {task.build_messages(r)[-1]["content"]: (i, task.reference(r)) for i, r in enumerate(rows)}

    def respond(request: dict[str, Any]) -> Reply:  # right on even rows, wrong on odd ones
        i, reference = answers[request["messages"][-1]["content"]]
        return chat_reply(f"so \\boxed{{{int(reference) + i % 2}}}", "stop" if i < 5 else "length")
    server.respond = respond
    monkeypatch.setenv("RLVR_TEST_KEY", "sk-from-env")
    out = tmp_path / "eval"
    result = CliRunner().invoke(app, [
        "eval", "--task", "arithmetic", "--limit", "6", "--endpoint", server.url + "/v1", "--model", "served-name",
        "--api-key-env", "RLVR_TEST_KEY", "--concurrency", "2", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(next(out.glob("results_*.json")).read_text())
    metrics = report["results"]["arithmetic"]
    assert (metrics["prompts"], metrics["pass@1"], metrics["clipped"]) == (6, 0.5, 1)
    assert report["config"]["endpoint"] == server.url + "/v1"
    assert "sk-from-env" not in json.dumps(report)
    samples = [json.loads(line) for line in next(out.glob("samples_arithmetic_*.jsonl")).read_text().splitlines()]
    assert [s["score"]["value"] for s in samples] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert {h["Authorization"] for h in server.headers} == {"Bearer sk-from-env"}
    assert all(r["max_tokens"] == task.generation.max_new_tokens for r in server.requests)


def test_rlvr_eval_endpoint_failure_is_an_error_exit_not_a_score(server, tmp_path):
    from rlvr.cli.main import app

    server.respond = lambda r: (401, {}, b'{"error": "invalid api key"}')
    out = tmp_path / "eval"
    result = CliRunner().invoke(app, [
        "eval", "--task", "arithmetic", "--limit", "2", "--endpoint", server.url, "--model", "m",
        "--workers", "1", "--out", str(out)])
    assert result.exit_code == 1
    assert re.search(r"HTTP 401.*invalid api key", result.output)
    assert not out.exists() or not list(out.glob("results_*.json"))


def test_rlvr_eval_endpoint_needs_the_served_model_name():
    from rlvr.cli.main import app

    result = CliRunner().invoke(app, ["eval", "--task", "arithmetic", "--endpoint", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "--endpoint needs --model" in result.output
