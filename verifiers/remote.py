"""`RemoteVerifierPool`: score on `rlvr serve` replicas, with the same ``map`` as `VerifierPool`.

    pool = RemoteVerifierPool("http://cpu-1:8000,http://cpu-2:8000", token=read_token("token.txt"))
    scores = pool.map(task.verifier(), completions, references, timeout_s=10)

A batch is cut into requests of at most ``rows_per_request`` rows, and into at least one per
replica, sent in parallel, replica ``i`` first for request ``i``. A request that meets a
connection error, a read timeout or a 5xx moves on to the next replica after a backoff; a 429
waits its ``Retry-After`` (overload never counts as a failure, until ``give_up_after_s``). When
every attempt failed its rows come back as ``infra_error`` (masked by the trainer), never as 0.
A 413 (too many rows, or rows whose worst case exceeds the server's cap per request, e.g. code rows
that may each hang to their limit) is sent again as two halves, and later batches are cut at that
size. The server's body cap (``max_body_bytes``: given, or learnt from the first 413 that names it)
is checked here before sending: a request over it is cut in halves (later batches are not), and a
single row over it whose completion makes it so scores ``parse_error`` without being sent, so one
oversized completion never costs its batch. A single row refused otherwise (its reference alone over
the cap, its worst case over the server's), or another 4xx than 429 (wrong token, malformed
request), is a set-up error and raises `RemoteVerifierError`.

Limits: the verifier must be built from registered verifiers (``Task.verifier()``, which
carries its ``spec``); the server rebuilds it, with its own sandbox for code. References must be
JSON. A request waits for its reply ``request_timeout_s`` plus, through ``map``, its rows' worst case
as if the server had one worker (code rows that all hang to their limits are a legitimate load):
past that it is retried, then infra_error. Rows queued ahead on the server are covered only by
``request_timeout_s``. A row can be scored twice when a replica dies after scoring it but before answering
(verifiers are pure, so the score is the same).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from .batch import ScoringPool, VerifierPool, row_timeouts
from .score import Score, Status, Verifier

_JSON = {"content-type": "application/json"}


class _Reply(BaseModel):
    """The body of a /v1/verify answer."""

    scores: list[Score]


class RemoteVerifierError(RuntimeError):
    """The server refused the request itself (401, 413 for one row, 422): retrying would not help."""


class _TooLarge(Exception):
    """A 413: the request is to be sent again in smaller parts (``max_body_bytes``: the server's
    body cap, when the 413 names it)."""

    def __init__(self, message: str, max_body_bytes: int | None) -> None:
        super().__init__(message)
        self.max_body_bytes = max_body_bytes


def read_token(token_file: str | Path | None) -> str | None:
    """The bearer token in ``token_file`` (surrounding whitespace removed); None for no file."""
    if token_file is None:
        return None
    token = Path(token_file).read_text(encoding="utf-8").strip()
    if not token:
        raise ValueError(f"token file {token_file} is empty")
    return token


def split_urls(urls: str | Sequence[str]) -> list[str]:
    """``"http://a:8000,http://b:8000"`` or a list of URLs -> base URLs without a trailing slash."""
    items = urls.split(",") if isinstance(urls, str) else list(urls)
    out = [u.strip().rstrip("/") for u in items if u.strip()]
    if not out:
        raise ValueError("give at least one verifier server URL")
    return out


def open_pool(url: str | None, *, token_file: str | Path | None = None, workers: int = 2) -> ScoringPool:
    """`RemoteVerifierPool` on ``url`` (comma-separated replicas) when given, else local `VerifierPool`."""
    if url:
        return RemoteVerifierPool(url, token=read_token(token_file))
    return VerifierPool(workers)


class RemoteVerifierPool:
    def __init__(self, urls: str | Sequence[str], *, token: str | None = None, attempts: int = 6,
                 backoff_s: float = 0.2, max_backoff_s: float = 10.0, request_timeout_s: float = 300.0,
                 give_up_after_s: float = 900.0, rows_per_request: int = 512, max_parallel: int = 16,
                 max_body_bytes: int | None = None) -> None:
        self.urls = split_urls(urls)
        self.max_body_bytes = max_body_bytes  # the servers' body cap; None: learnt from a 413 naming it
        self.request_timeout_s = request_timeout_s
        self.attempts, self.backoff_s, self.max_backoff_s = attempts, backoff_s, max_backoff_s
        self.give_up_after_s, self.rows_per_request, self.max_parallel = give_up_after_s, rows_per_request, max_parallel
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(request_timeout_s, connect=5.0),
                                    limits=httpx.Limits(max_connections=4 * max_parallel))
        self._next = 0  # the replica the next batch starts on, so single-request batches spread too
        self._lock = threading.Lock()
        self.retries = 0  # requests sent again (failover, overload, 5xx), for logging and tests

    def map(self, verifier: Verifier, completions: Sequence[str], references: Sequence[Any], *,
            timeout_s: float = 5.0) -> list[Score]:
        """`VerifierPool.map` over HTTP. ``verifier`` must carry a ``spec`` (``Task.verifier()`` does)."""
        spec = getattr(verifier, "spec", None)
        if not spec:
            raise TypeError(f"{type(verifier).__name__} carries no spec of registered verifiers; remote scoring "
                            f"needs one built by Task.verifier() or rlvr.tasks.task.build_verifier")
        return self.verify(completions, references, verifiers=list(spec), timeout_s=timeout_s,
                           row_limits=row_timeouts(verifier, references, timeout_s))

    def verify(self, completions: Sequence[str], references: Sequence[Any], *, task: str | None = None,
               verifiers: list[dict[str, Any]] | None = None, timeout_s: float | None = None,
               row_limits: Sequence[float] | None = None) -> list[Score]:
        """Score with a task the server knows by name, or with registry ``verifiers`` specs; in order.
        ``row_limits``: each row's worst case, added to a request's read timeout."""
        if len(completions) != len(references):
            raise ValueError(f"{len(completions)} completions but {len(references)} references")
        n = len(completions)
        if n == 0:
            return []
        pieces = max(-(-n // self.rows_per_request), min(len(self.urls), n))
        size = -(-n // pieces)
        bounds = [(start, min(n, start + size)) for start in range(0, n, size)]
        with self._lock:
            first, self._next = self._next, self._next + len(bounds)
        limits = list(row_limits) if row_limits is not None else [0.0] * n
        base: dict[str, Any] = {"task": task} if task is not None else {"verifiers": verifiers}
        if timeout_s is not None:
            base["timeout_s"] = timeout_s

        def send(i: int) -> list[Score]:
            lo, hi = bounds[i]
            return self._send(first + i, base, completions[lo:hi], references[lo:hi], limits[lo:hi])

        if len(bounds) == 1:
            return send(0)
        with ThreadPoolExecutor(min(len(bounds), self.max_parallel)) as ex:
            return [s for part in ex.map(send, range(len(bounds))) for s in part]

    def _send(self, replica: int, base: dict[str, Any], completions: Sequence[str], references: Sequence[Any],
              limits: Sequence[float]) -> list[Score]:
        """One request; as two halves when it is over the body cap, or (and later batches cut at that
        size) when the server says it has too many rows or too long a worst case."""
        payload = {**base, "completions": list(completions), "references": list(references)}
        body = request_body(payload)
        cap = self.max_body_bytes
        if cap is not None and len(body) > cap:
            if len(completions) == 1:
                return [self._oversized(base, references[0], len(body), cap)]
        else:
            try:
                return self._post(replica, body, len(completions), self.request_timeout_s + sum(limits))
            except _TooLarge as exc:
                if exc.max_body_bytes is not None and len(body) > exc.max_body_bytes:  # the body cap, learnt
                    self.max_body_bytes = exc.max_body_bytes
                    return self._send(replica, base, completions, references, limits)
                if len(completions) < 2:
                    raise RemoteVerifierError(f"the server refused a single row: {exc}") from None
            self.rows_per_request = min(self.rows_per_request, len(completions) // 2)
        half = len(completions) // 2
        return (self._send(replica, base, completions[:half], references[:half], limits[:half])
                + self._send(replica + 1, base, completions[half:], references[half:], limits[half:]))

    @staticmethod
    def _oversized(base: dict[str, Any], reference: Any, size: int, cap: int) -> Score:
        """The score of a lone row whose request (``size`` bytes) is over the server's body cap: the
        completion's fault (parse_error), unless the row would be over it without one (a set-up error)."""
        if len(request_body({**base, "completions": [""], "references": [reference]})) > cap:
            raise RemoteVerifierError(f"a reference alone makes a request over the server's body cap of {cap} bytes")
        return Score.failed(Status.PARSE_ERROR, reason=f"the completion makes a request of {size} bytes, over the "
                            f"server's body cap of {cap} bytes: not sent")

    def _post(self, replica: int, body: bytes, rows: int, read_s: float) -> list[Score]:
        failures, last, started = 0, "", time.monotonic()
        while failures < self.attempts and time.monotonic() - started < self.give_up_after_s:
            url = self.urls[replica % len(self.urls)]
            wait = 0.0
            try:
                response = self._client.post(f"{url}/v1/verify", content=body, headers=_JSON,
                                             timeout=httpx.Timeout(read_s, connect=5.0))
            except httpx.TransportError as exc:  # refused, reset, timed out: this replica, not the rows
                last = f"{url}: {type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    try:
                        scores = _Reply.model_validate_json(response.content).scores
                    except ValidationError as exc:  # a proxy's page, a truncated body: retried elsewhere
                        last = f"{url}: unreadable reply: {exc}"[:500]
                    else:
                        if len(scores) == rows:
                            return scores
                        last = f"{url}: {len(scores)} scores for {rows} rows"
                elif response.status_code == 429:  # overloaded: wait as told, same replica, not a failure
                    self.retries += 1
                    time.sleep(retry_after(response, self.backoff_s) * random.uniform(1.0, 1.5))
                    continue
                elif response.status_code == 413:
                    raise _TooLarge(f"{url}: HTTP 413: {response.text[:1000]}", _named_cap(response))
                elif response.status_code >= 500:
                    last = f"{url}: HTTP {response.status_code}: {response.text[:300]}"
                    wait = retry_after(response, 0.0)
                else:
                    raise RemoteVerifierError(f"{url} refused the request: HTTP {response.status_code}: "
                                              f"{response.text[:1000]}")
            failures += 1
            self.retries += 1
            replica += 1  # fail over: the next attempt goes to the next replica
            backoff = min(self.max_backoff_s, self.backoff_s * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)
            time.sleep(max(wait, backoff))
        return [Score.failed(Status.INFRA_ERROR, message=f"remote verification failed: {last}"[:2000])] * rows

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteVerifierPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def request_body(payload: dict[str, Any]) -> bytes:
    """``payload`` as UTF-8 JSON, as httpx's ``json=`` sends it. A lone surrogate (which UTF-8 cannot
    encode) travels as its ``\\u`` escape, and the server reads back the same text (serve's
    ``_validate``): such a row is scored as it would be locally, the batch never fails with it, and no
    other character grows (ASCII JSON would cost an emoji 12 bytes instead of 4). A surrogate only
    ever stands inside a JSON string, where its escape means it.

    Limits: two lone surrogates that form a pair read back as the one character they encode."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "backslashreplace")


def _named_cap(response: httpx.Response) -> int | None:
    """The body cap a 413 names (`rlvr serve` does), else None."""
    try:
        cap = response.json().get("max_body_bytes")
    except (ValueError, AttributeError):
        return None
    return cap if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0 else None


def retry_after(response: httpx.Response, default: float) -> float:
    """The server's ``Retry-After`` in seconds, at least ``default`` (``default`` when absent or an
    HTTP date). Also read by ``rlvr.evals.endpoint_generator``'s retries."""
    try:
        return max(default, float(response.headers.get("retry-after", default)))
    except ValueError:
        return default
