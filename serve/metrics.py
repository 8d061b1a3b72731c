"""Prometheus metrics of one server (its own registry, so several apps in a process do not clash)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

ENDPOINTS = ("/v1/verify", "/get_reward", "/run_code", "/healthz", "/metrics")


class ServeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("rlvr_serve_requests", "HTTP requests by endpoint and status code",
                                ["endpoint", "code"], registry=self.registry)
        self.latency = Histogram("rlvr_serve_request_seconds", "Request latency by endpoint", ["endpoint"],
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
                                 registry=self.registry)
        self.rows = Counter("rlvr_serve_rows", "Scored rows by Score status", ["status"], registry=self.registry)
        self.executions = Counter("rlvr_serve_executions", "/run_code executions by SandboxFusion status",
                                  ["status"], registry=self.registry)
        self.rejected = Counter("rlvr_serve_rejected", "Requests refused before any work, by reason",
                                ["reason"], registry=self.registry)

    def gauge(self, name: str, doc: str, read: Callable[[], float]) -> None:
        """A gauge read when scraped (queue depth, worker replacements)."""
        Gauge(name, doc, registry=self.registry).set_function(read)

    def endpoint(self, path: str) -> str:
        return path if path in ENDPOINTS else "other"
