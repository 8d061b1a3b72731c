"""``EndpointGenerator``: the ``Generator`` for any OpenAI-compatible server (vLLM, SGLang, llama.cpp, APIs).

    generator = EndpointGenerator("http://127.0.0.1:8000", "my-model", api_key=os.environ.get("OPENAI_API_KEY"))
    completions = generator.generate(conversations, SamplingParams(n=4, temperature=0.6))

Every task's prompt is a conversation and local evaluation always applies the model's chat
template with the generation prompt appended (``transformers_generator.chat_prompt``); the same
semantics over HTTP is ``POST /v1/chat/completions`` with the messages, where the server applies
the template of the model it serves. So this generator speaks only the chat API.

One request per sample (``n=1``), with ``seed + sample index`` when sampling: ``n`` in one
request is not supported by every server (llama.cpp answers one choice) and one seed for all
of a request's choices is not honoured the same way everywhere. A server with prefix caching
(vLLM, SGLang) computes the shared prompt once anyway; a paid API bills the prompt k times.

At most ``concurrency`` requests are in flight. A connection error, a timeout, a 408, a 429,
a 5xx or an unreadable 200 is retried after an exponential backoff with jitter (at least the
``Retry-After`` the server asked for, at most ``max_backoff_s``), up to ``attempts`` tries; any other status (a wrong
model name, a bad key, a prompt over the context) and retries run out raise ``EndpointError``
with the server's message: a failed request never becomes a completion, so never a 0.

Limits: token ids are read only from servers that return them (vLLM with
``extra_body={"return_token_ids": True}``); otherwise ``Completion.token_ids`` is empty.
``finished`` is ``finish_reason == "stop"`` (``"length"``: clipped); other reasons give None.
Imports no torch.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from rlvr.verifiers.remote import retry_after

from .generation import Completion, Messages, SamplingParams

RETRYABLE_STATUS = frozenset({408, 429}) | frozenset(range(500, 600))


class EndpointError(RuntimeError):
    """The server refused a request (a non-retryable status) or kept failing past the retries."""


class _Message(BaseModel):
    content: str | None = None


class _Choice(BaseModel):
    message: _Message
    finish_reason: str | None = None
    token_ids: list[int] | None = None  # vLLM, when the request asked for return_token_ids


class _Reply(BaseModel):
    """The part of a /v1/chat/completions answer that is read."""

    choices: list[_Choice]


class EndpointGenerator:
    """Chat completions from ``url`` (a base URL, with or without ``/v1``) for the served ``model``.

    ``batch_size`` (sequences per ``generate`` call when ``evaluate_task`` picks the batch) is
    a few times ``concurrency`` so the server is never left idle between batches.
    ``extra_body`` is merged into every request (server-specific fields).
    """

    def __init__(self, url: str, model: str, *, api_key: str | None = None, concurrency: int = 16,
                 attempts: int = 6, backoff_s: float = 0.5, max_backoff_s: float = 30.0,
                 request_timeout_s: float = 600.0, extra_body: dict[str, Any] | None = None) -> None:
        if concurrency < 1 or attempts < 1:
            raise ValueError(f"concurrency and attempts must be >= 1, got {concurrency}, {attempts}")
        base = url.rstrip("/")
        self.url = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        self.model, self.concurrency, self.attempts = model, concurrency, attempts
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.extra_body = dict(extra_body or {})
        self.batch_size = 4 * concurrency
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(request_timeout_s, connect=10.0),
                                    limits=httpx.Limits(max_connections=concurrency))
        self._lock = threading.Lock()
        self.retries = 0  # requests sent again, for logging and tests

    def generate(self, conversations: Sequence[Messages], params: SamplingParams) -> list[list[Completion]]:
        jobs = [(c, i) for c in range(len(conversations)) for i in range(params.n)]
        out: list[Completion | None] = [None] * len(jobs)
        failed = threading.Event()  # a non-retryable failure: the other requests stop retrying

        def run(j: int) -> None:
            c, i = jobs[j]
            out[j] = self._request(self._body(conversations[c], params, i), failed)

        pool = ThreadPoolExecutor(self.concurrency)
        futures = [pool.submit(run, j) for j in range(len(jobs))]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        error = next((f.exception() for f in done if f.exception() is not None), None)
        if error is not None:  # raise now: requests in flight end on their own, none is retried
            failed.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise error
        pool.shutdown()
        flat = [c for c in out if c is not None]
        return [flat[k * params.n : (k + 1) * params.n] for k in range(len(conversations))]

    def _body(self, messages: Messages, params: SamplingParams, sample: int) -> dict[str, Any]:
        body: dict[str, Any] = {**self.extra_body, "model": self.model, "messages": messages, "n": 1,
                                "max_tokens": params.max_new_tokens, "temperature": params.temperature,
                                "top_p": params.top_p}
        if params.temperature > 0:
            body["seed"] = params.seed + sample
        return body

    def _request(self, body: dict[str, Any], failed: threading.Event) -> Completion:
        last = ""
        for attempt in range(self.attempts):
            if failed.is_set():
                raise EndpointError("stopped: another request failed")
            wait_s = 0.0
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TransportError as exc:  # refused, reset, timed out: the server, not the request
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    try:
                        return _completion(_Reply.model_validate_json(response.content))
                    except (ValidationError, ValueError) as exc:  # a proxy's page, a truncated body
                        last = f"unreadable reply: {exc}"[:500]
                elif response.status_code in RETRYABLE_STATUS:
                    last = f"HTTP {response.status_code}: {response.text[:300]}"
                    wait_s = retry_after(response, 0.0)
                else:
                    raise EndpointError(f"{self.url} refused the request: HTTP {response.status_code}: "
                                        f"{response.text[:1000]}")
            if attempt + 1 < self.attempts:
                with self._lock:
                    self.retries += 1
                backoff = min(self.max_backoff_s, self.backoff_s * 2**attempt) * random.uniform(0.5, 1.0)
                time.sleep(min(self.max_backoff_s, max(wait_s, backoff)))
        raise EndpointError(f"{self.url}: no answer after {self.attempts} attempts; last: {last}")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> EndpointGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _completion(reply: _Reply) -> Completion:
    if len(reply.choices) != 1:
        raise ValueError(f"{len(reply.choices)} choices for n=1")
    choice = reply.choices[0]
    finished = {"stop": True, "length": False}.get(choice.finish_reason or "")
    return Completion(choice.message.content or "", list(choice.token_ids or []), finished)
