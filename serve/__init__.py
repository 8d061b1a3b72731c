"""rlvr.serve: rlvr's verifiers and sandbox as an HTTP service (``rlvr serve``).

Endpoints: ``POST /v1/verify`` (rlvr's own), ``POST /get_reward`` (OpenRLHF's remote reward model,
``--remote_rm_url``), ``POST /run_code`` (SandboxFusion's runner, as used by verl and the
``sandbox-fusion`` client), ``GET /healthz``, ``GET /metrics`` (Prometheus). Stateless: replicas
scale out behind any load balancer; `rlvr.verifiers.remote` spreads a batch over several.

Needs the ``serve`` extra (starlette, uvicorn, prometheus-client). Never imports torch.
"""

from __future__ import annotations

from .app import ServeConfig, create_app
from .server import is_loopback, serve

__all__ = ["ServeConfig", "create_app", "is_loopback", "serve"]
