"""The ASGI app: rlvr's, OpenRLHF's and SandboxFusion's endpoints over one verifier pool and sandbox.

Every request passes the guard first: bearer token (header, or ``?token=`` for peer clients that
cannot set headers), body size cap (413 naming the cap as ``max_body_bytes``, so that
`RemoteVerifierPool` scores a row too large to send as that row's parse_error: a body the server
refused to read has no rows it could score), then per endpoint: strict validation (422 naming the
field), batch cap (413), the cap on a request's worst case (413: split it), the bounded queue
(429 with ``Retry-After``) and a deadline (504: what the request's rows and those ahead of it may
legitimately need, plus ``request_deadline_s``; see `VerifyScheduler`). Rows
that hit our own faults make the whole request a 503 on the peer endpoints (whose clients retry
and have no way to mask a row), and come back as ``infra_error`` on ``/v1/verify``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

import anyio
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rlvr.sandbox import DockerSandbox, SandboxConfig, SandboxUnavailable
from rlvr.tasks import TaskError, UnknownTaskError, VerifierSpec, available_tasks, get_task
from rlvr.tasks.task import build_verifier
from rlvr.verifiers import Score, Status, Verifier, VerifierPool, get_verifier
from rlvr.verifiers.batch import row_timeouts

from .metrics import ServeMetrics
from .protocol import (
    SUPPORTED_LANGUAGES,
    RewardRequest,
    RunCodeRequest,
    VerifyRequest,
    VerifyResponse,
    completion_of,
    decode_files,
    reference_of,
    run_code_response,
    sandbox_error,
)
from .scheduler import DeadlineExceeded, Overloaded, VerifyScheduler, worst_case_s

# Verifier params that would let a client choose how untrusted code runs: the server's sandbox decides.
_SERVER_OWNED_PARAMS = {"code": {"sandbox", "self_check"}}
_MAX_CACHED_VERIFIERS = 128
_SCORES = TypeAdapter(VerifyResponse)  # scores straight to JSON bytes: the hot path of /v1/verify


class ServeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str | None = None  # what /get_reward scores against
    workers: int = Field(2, ge=1)  # verifier worker processes
    sandbox_pool: int = Field(2, ge=1)  # sandbox containers for /run_code and code verifiers
    token: str | None = None
    verify_timeout_s: float = Field(10.0, gt=0)  # per completion, unless the request sets less
    # Past its rows' worst case and that of the rows ahead of it, how long a request may wait
    # before it is a server fault (504, infra_error): hanging rows never spend this.
    request_deadline_s: float = Field(120.0, gt=0)
    # The most one request's rows may need at worst on this pool (each row its own limit, e.g. a
    # code job's `time_needed`): a larger request is refused (413) and the client splits it.
    max_request_s: float = Field(86400.0, gt=0)
    max_body_bytes: int = Field(16 << 20, ge=1024)
    max_batch_rows: int = Field(4096, ge=1)
    max_queue_rows: int = Field(65536, ge=1)
    max_pending_runs: int = Field(64, ge=1)  # /run_code requests running or waiting
    max_run_timeout_s: float = Field(60.0, gt=0)


class _HTTPError(Exception):
    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(str(detail))
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra or {}


def _field_error(loc: list[Any], msg: str) -> _HTTPError:
    """422 in FastAPI's shape (what SandboxFusion and OpenRLHF's servers answer)."""
    return _HTTPError(422, [{"loc": ["body", *loc], "msg": msg, "type": "value_error"}])


def _validate(model: type[BaseModel], body: bytes) -> Any:
    """Parse and validate in one pass (pydantic's JSON parser); bad JSON is a 422 of type json_invalid.

    JSON that pydantic's parser refuses is read again by Python's: a lone surrogate escape
    (``"\\ud800"``) is valid JSON grammar that only the latter reads, and a completion holding one
    (as `RemoteVerifierPool` sends it) is scored as it would be locally, not refused with its batch."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    if any(e["type"] == "json_invalid" for e in errors):
        try:
            return model.model_validate(json.loads(body))
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
        except (ValueError, RecursionError):  # not JSON for Python either: pydantic's own error
            pass
    raise _HTTPError(422, [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in errors])


def dump_scores(scores: list[Score]) -> bytes:
    """The /v1/verify reply. A score that cannot be dumped (a verifier bug: a detail JSON has no form
    for) becomes that row's ``error``; every other row keeps its score, never masked with it."""
    try:
        return _SCORES.dump_json(VerifyResponse(scores=scores))
    except Exception:  # which row failed is found below, row by row (the slow path, taken only here)
        pass
    rows = []
    for score in scores:
        try:
            score.model_dump_json()
        except Exception as exc:  # any failure to serialise is the verifier's
            score = Score.failed(Status.ERROR, reason=f"the verifier's score could not be serialised: "
                                 f"{type(exc).__name__}: {exc}"[:500])
        rows.append(score)
    return _SCORES.dump_json(VerifyResponse(scores=rows))


class _Service:
    """What the endpoints share: the queue, the pool, the sandbox, verifiers by key, metrics."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.metrics = ServeMetrics()
        self.sandbox_config = SandboxConfig(pool_size=config.sandbox_pool)
        self.pool: VerifierPool | None = None
        self.scheduler: VerifyScheduler | None = None
        self.sandbox: DockerSandbox | None = None
        self._sandbox_lock = threading.Lock()
        self._run_limiter = anyio.CapacityLimiter(config.sandbox_pool)
        self.pending_runs = 0
        self._verifiers: OrderedDict[str, Verifier] = OrderedDict()
        self.metrics.gauge("rlvr_serve_queue_rows", "Rows waiting for the verifier pool",
                           lambda: self.scheduler.queued_rows if self.scheduler else 0)
        self.metrics.gauge("rlvr_serve_pending_runs", "/run_code requests running or waiting",
                           lambda: self.pending_runs)
        self.metrics.gauge("rlvr_serve_verifier_worker_replacements", "Verifier workers killed and replaced",
                           lambda: self.pool.replaced if self.pool else 0)
        self.metrics.gauge("rlvr_serve_sandbox_replacements", "Sandbox workers torn down and replaced",
                           lambda: self.sandbox.replaced if self.sandbox else 0)

    def start(self) -> None:
        warm = get_verifier("exact")
        if self.config.task:
            warm = self.task_verifier(self.config.task, loc=["task"])[1]  # a bad --task fails at start-up
        self.pool = VerifierPool(self.config.workers)
        # Start the workers now (interpreter, imports): /healthz answers only after this, and the first
        # request is not charged for it (under its row deadlines).
        n = self.config.workers
        self.pool.map(warm, [""] * n, [""] * n, timeout_s=300.0)
        self.scheduler = VerifyScheduler(self.pool, workers=n, max_queue_rows=self.config.max_queue_rows,
                                         max_batch_rows=self.config.max_batch_rows)

    def stop(self) -> None:
        if self.scheduler:
            self.scheduler.close()
        if self.pool:
            self.pool.close()
        if self.sandbox:
            self.sandbox.close()

    # -- verifiers --------------------------------------------------------------------------

    def _cached(self, key: str, build: Any) -> Verifier:
        if key not in self._verifiers:
            self._verifiers[key] = build()
            if len(self._verifiers) > _MAX_CACHED_VERIFIERS:
                self._verifiers.popitem(last=False)
        self._verifiers.move_to_end(key)
        return self._verifiers[key]

    def task_verifier(self, name: str, loc: list[Any]) -> tuple[str, Verifier]:
        key = f"task:{name}"
        if key in self._verifiers:  # the hot path: looking names up scans the installed entry points
            self._verifiers.move_to_end(key)
            return key, self._verifiers[key]
        # Names only: a path would let a client make the server read its files.
        if name not in available_tasks() and not name.startswith("reasoning_gym:"):
            raise _field_error(loc, f"unknown task {name!r}; this server knows {', '.join(available_tasks())}")
        try:
            return key, self._cached(key, lambda: get_task(name).verifier())
        except (TaskError, UnknownTaskError, ValueError, ImportError) as exc:
            raise _field_error(loc, str(exc)) from None

    def spec_verifier(self, specs: list[Any]) -> tuple[str, Verifier]:
        checked = []
        for i, spec in enumerate(specs):
            owned = _SERVER_OWNED_PARAMS.get(spec.name, set()) & set(spec.params)
            if owned:
                raise _field_error(["verifiers", i, "params"], f"{sorted(owned)} are set by the server")
            params = {**spec.params, "sandbox": self.sandbox_config} if spec.name == "code" else spec.params
            try:
                checked.append(VerifierSpec(name=spec.name, params=params, weight=spec.weight, label=spec.label))
            except ValidationError as exc:
                raise _field_error(["verifiers", i, "name"], exc.errors()[0]["msg"]) from None
        blob = json.dumps([s.model_dump(mode="json") for s in specs], sort_keys=True, default=str)
        key = "spec:" + hashlib.sha1(blob.encode()).hexdigest()
        try:
            return key, self._cached(key, lambda: build_verifier(checked))
        except (TypeError, ValueError, ValidationError) as exc:
            raise _field_error(["verifiers"], f"cannot build the verifier: {exc}") from None

    async def score(self, key: str, verifier: Verifier, completions: list[str], references: list[Any],
                    timeout_s: float) -> list[Score]:
        if len(completions) > self.config.max_batch_rows:
            raise _HTTPError(413, f"{len(completions)} rows exceed the batch cap of {self.config.max_batch_rows}")
        assert self.scheduler is not None
        limits = row_timeouts(verifier, references, timeout_s)
        need = worst_case_s(limits, self.config.workers)
        if need > self.config.max_request_s:
            raise _HTTPError(413, f"{len(completions)} rows may need {need:.0f} s at worst on "
                             f"{self.config.workers} workers, over this server's cap of "
                             f"{self.config.max_request_s} s per request: send fewer rows per request")
        try:
            future, deadline = self.scheduler.submit(key, verifier, completions, references, timeout_s=timeout_s,
                                                     limits=limits, grace_s=self.config.request_deadline_s)
        except Overloaded as exc:
            self.metrics.rejected.labels("queue_full").inc()
            raise _HTTPError(429, str(exc), {"Retry-After": str(exc.retry_after_s)}) from None
        try:
            scores: list[Score] = await asyncio.wait_for(asyncio.wrap_future(future),
                                                         deadline - time.monotonic())
        except (asyncio.TimeoutError, DeadlineExceeded):
            raise _HTTPError(504, f"not scored within the request's deadline (its rows' worst case and that of "
                             f"the rows ahead of it, plus {self.config.request_deadline_s} s)",
                             {"Retry-After": "1"}) from None
        for s in scores:
            self.metrics.rows.labels(s.status.value).inc()
        return scores

    # -- sandbox ----------------------------------------------------------------------------

    def run(self, request: RunCodeRequest, files: dict[str, str]) -> Any:
        with self._sandbox_lock:  # started on first use: a math-only server never needs Docker
            if self.sandbox is None:
                self.sandbox = DockerSandbox(self.sandbox_config)
        cap = self.sandbox_config.container_memory_mb
        memory = 256 if request.memory_limit_MB <= 0 else max(16, min(request.memory_limit_MB, cap))
        return self.sandbox.run(request.code, stdin=request.stdin or "", files=files,
                                timeout_s=min(request.run_timeout, self.config.max_run_timeout_s), memory_mb=memory)


async def _read_body(request: Request, limit: int) -> bytes:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _HTTPError(413, f"request body exceeds {limit} bytes", extra={"max_body_bytes": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _service(request: Request) -> _Service:
    return request.app.state.service


async def verify(request: Request) -> Response:
    service = _service(request)
    req = _validate(VerifyRequest, await _read_body(request, service.config.max_body_bytes))
    if (req.task is None) == (req.verifiers is None):
        raise _field_error(["task"], "give exactly one of `task` or `verifiers`")
    if len(req.references) != len(req.completions):
        raise _field_error(["references"], f"{len(req.references)} references for {len(req.completions)} completions")
    key, verifier = (service.task_verifier(req.task, ["task"]) if req.task is not None
                     else service.spec_verifier(req.verifiers))
    timeout_s = min(req.timeout_s or service.config.verify_timeout_s, service.config.verify_timeout_s)
    scores = await service.score(key, verifier, req.completions, req.references, timeout_s)
    return Response(dump_scores(scores), media_type="application/json")


async def get_reward(request: Request) -> Response:
    service = _service(request)
    req = _validate(RewardRequest, await _read_body(request, service.config.max_body_bytes))
    if service.config.task is None:
        raise _field_error(["labels"], "this server was started without --task: /get_reward has nothing to score with")
    if req.labels is None:
        raise _field_error(["labels"], "required: labels[i] is the reference of query[i]")
    for name, values in (("labels", req.labels), ("prompts", req.prompts)):
        if values is not None and len(values) != len(req.query):
            raise _field_error([name], f"{len(values)} {name} for {len(req.query)} queries")
    prompts = req.prompts or [None] * len(req.query)
    completions = [completion_of(q, p) for q, p in zip(req.query, prompts, strict=True)]
    key, verifier = service.task_verifier(service.config.task, ["labels"])
    scores = await service.score(key, verifier, completions, [reference_of(x) for x in req.labels],
                                 service.config.verify_timeout_s)
    failed = [s for s in scores if s.status is Status.INFRA_ERROR]
    if failed:  # OpenRLHF cannot mask a row: a retryable error instead of a false 0
        raise _HTTPError(503, f"{len(failed)} rows hit an infrastructure fault: {str(failed[0].details)[:300]}",
                         {"Retry-After": "1"})
    rewards = [s.value for s in scores]
    return JSONResponse({"rewards": rewards, "scores": rewards,
                         "extra_logs": {"verifier_scored": [float(s.is_scored) for s in scores]}})


async def run_code(request: Request) -> Response:
    service = _service(request)
    req = _validate(RunCodeRequest, await _read_body(request, service.config.max_body_bytes))
    if req.language not in SUPPORTED_LANGUAGES:
        reply = sandbox_error(f"language {req.language!r} is not supported by this server "
                              f"(supported: {', '.join(sorted(SUPPORTED_LANGUAGES))})")
    elif req.fetch_files:
        reply = sandbox_error("fetch_files is not supported by this server")
    else:
        try:
            files = decode_files(req.files)
        except ValueError as exc:
            raise _field_error(["files"], str(exc)) from None
        if service.pending_runs >= service.config.max_pending_runs:
            service.metrics.rejected.labels("runs_full").inc()
            raise _HTTPError(429, "too many /run_code requests in flight", {"Retry-After": "1"})
        service.pending_runs += 1
        try:
            result = await anyio.to_thread.run_sync(service.run, req, files, limiter=service._run_limiter)
            reply = run_code_response(result, None)
        except SandboxUnavailable as exc:
            reply = sandbox_error(f"sandbox unavailable: {exc}")
        except ValueError as exc:  # a job the sandbox refuses (e.g. a file path outside the work dir)
            reply = sandbox_error(str(exc))
        finally:
            service.pending_runs -= 1
    service.metrics.executions.labels(reply.status).inc()
    return JSONResponse(reply.model_dump(mode="json"))


async def healthz(request: Request) -> Response:
    service = _service(request)
    scheduler = service.scheduler
    return JSONResponse({"status": "ok", "task": service.config.task, "workers": service.config.workers,
                         "queue_rows": scheduler.queued_rows if scheduler else 0})


async def metrics(request: Request) -> Response:
    return Response(generate_latest(_service(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


class _Guard:
    """ASGI middleware: token, declared body size, error replies, and request metrics."""

    def __init__(self, app: Any, service: _Service) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        endpoint = self.service.metrics.endpoint(scope["path"])
        started, code = time.perf_counter(), 500

        async def send_counted(message: Any) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = message["status"]
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send_counted)
            else:
                await self.app(scope, receive, send_counted)
        finally:
            self.service.metrics.requests.labels(endpoint, str(code)).inc()
            self.service.metrics.latency.labels(endpoint).observe(time.perf_counter() - started)

    def _refusal(self, scope: Any) -> Response | None:
        request = Request(scope)
        token = self.service.config.token
        if token and scope["path"] != "/healthz":
            given = request.headers.get("authorization", "")
            given = given[7:] if given.lower().startswith("bearer ") else request.query_params.get("token", "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                self.service.metrics.rejected.labels("unauthorized").inc()
                return JSONResponse({"detail": "missing or wrong bearer token"}, 401,
                                    {"WWW-Authenticate": "Bearer"})
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.service.config.max_body_bytes:
            self.service.metrics.rejected.labels("body_too_large").inc()
            cap = self.service.config.max_body_bytes
            return JSONResponse({"detail": f"request body exceeds {cap} bytes", "max_body_bytes": cap}, 413)
        return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _HTTPError)
    return JSONResponse({"detail": exc.detail, **exc.extra}, exc.status, exc.headers)


def create_app(config: ServeConfig) -> Any:
    """The ASGI app. The verifier pool starts and stops with the app's lifespan; the sandbox on first use."""
    service = _Service(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(service.start)
        try:
            yield
        finally:  # uvicorn has finished the in-flight requests by now
            await anyio.to_thread.run_sync(service.stop)

    app = Starlette(routes=[
        Route("/v1/verify", verify, methods=["POST"]),
        Route("/get_reward", get_reward, methods=["POST"]),
        Route("/run_code", run_code, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ], exception_handlers={_HTTPError: _http_error}, lifespan=lifespan)
    app.state.service = service
    return _Guard(app, service)
