"""`rlvr serve` over HTTP on loopback vs in-process, in one run.

    python benchmarks/serve_bench.py [--workers 2] [--batch 64] [--rows 2048] [--load-rows 100000]

1. Math verification: in-process ``VerifierPool.map`` vs ``POST /v1/verify`` on a server with the
   same number of worker processes, at 1, 8 and 64 concurrent clients, each request a batch of
   ``--batch`` rows (and single-row requests at 64 clients): requests/s, rows/s, p50/p99 latency.
2. Code execution: ``DockerSandbox.run`` vs SandboxFusion's ``POST /run_code`` (same pool size).
3. Overload: 10x the server's queue cap sent at once by retrying clients; peak RSS of the server
   (and its workers), how many 429s, and whether every row was answered.
4. Load test: ``--load-rows`` cheap math rows through `RemoteVerifierPool`; every row must come back
   with the right value.

Prints Markdown tables (the results live in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil

from rlvr.sandbox import DockerSandbox, SandboxConfig
from rlvr.tasks import get_task
from rlvr.verifiers import Status, VerifierPool
from rlvr.verifiers.remote import RemoteVerifierPool

CODE = "print(sum(range(10)))\n"


def rows(n: int, offset: int = 0) -> tuple[list[str], list[str]]:
    """Cheap math rows, every third one wrong (so a lost or shuffled row shows in the values)."""
    return ([f"so \\boxed{{{i + (i % 3 == 0)}}}" for i in range(offset, offset + n)],
            [str(i) for i in range(offset, offset + n)])


def expected(n: int, offset: int = 0) -> list[float]:
    return [0.0 if i % 3 == 0 else 1.0 for i in range(offset, offset + n)]


def start_server(workers: int, sandbox_pool: int, max_queue_rows: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "rlvr.cli", "serve", "--port", str(port),
                                "--task", "arithmetic", "--workers", str(workers), "--sandbox-pool", str(sandbox_pool),
                                "--max-queue-rows", str(max_queue_rows)],
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def measure(call: Callable[[int], int], requests: int, clients: int) -> dict[str, float]:
    """``call(i)`` does request ``i`` and returns its row count; ``clients`` threads at a time."""
    def timed(i: int) -> tuple[float, int]:
        start = time.perf_counter()
        n = call(i)
        return time.perf_counter() - start, n

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        samples = list(ex.map(timed, range(requests)))
    wall = time.perf_counter() - start
    latencies = sorted(s for s, _ in samples)
    return {"req_s": requests / wall, "rows_s": sum(n for _, n in samples) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]}


def math_section(url: str, workers: int, batch: int, total_rows: int) -> list[str]:
    verifier = get_task("arithmetic").verifier()
    client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=128))
    out = ["| math | clients | rows/request | in-process req/s | rows/s | p50 ms | p99 ms "
           "| HTTP req/s | rows/s | p50 ms | p99 ms | HTTP / in-process rows/s |", "|" + "---|" * 12]
    with VerifierPool(workers) as pool:
        pool.map(verifier, *rows(workers), timeout_s=300)  # warm, as the server is
        for clients, size in [(1, batch), (8, batch), (64, batch), (64, 1)]:
            requests = max(clients, total_rows // size) if size > 1 else 512
            c, r = rows(size)

            def local(i: int, c: list[str] = c, r: list[str] = r) -> int:
                scores = pool.map(verifier, c, r, timeout_s=10)
                assert [s.value for s in scores] == expected(len(c))
                return len(scores)

            def remote(i: int, c: list[str] = c, r: list[str] = r) -> int:
                reply = client.post(f"{url}/v1/verify", json={"task": "arithmetic", "completions": c, "references": r})
                reply.raise_for_status()
                scores = reply.json()["scores"]
                assert [s["value"] for s in scores] == expected(len(c))
                return len(scores)

            a, b = measure(local, requests, clients), measure(remote, requests, clients)
            out.append(f"| | {clients} | {size} | {a['req_s']:.1f} | {a['rows_s']:.0f} | {a['p50_ms']:.1f} "
                       f"| {a['p99_ms']:.1f} | {b['req_s']:.1f} | {b['rows_s']:.0f} | {b['p50_ms']:.1f} "
                       f"| {b['p99_ms']:.1f} | {b['rows_s'] / a['rows_s']:.2f}x |")
            print(out[-1], flush=True)
    client.close()
    return out


def code_section(url: str, sandbox_pool: int, jobs: int) -> list[str]:
    client = httpx.Client(timeout=600, limits=httpx.Limits(max_connections=128))
    out = ["| code | clients | in-process exec/s | p50 ms | p99 ms | /run_code exec/s | p50 ms | p99 ms "
           "| HTTP / in-process |", "|" + "---|" * 9]
    with DockerSandbox(SandboxConfig(pool_size=sandbox_pool)) as sandbox:
        sandbox.warm_up()
        client.post(f"{url}/run_code", json={"code": CODE, "language": "python"})  # starts the server's pool

        def local(i: int) -> int:
            assert sandbox.run(CODE).stdout == "45\n"
            return 1

        def remote(i: int) -> int:
            reply = client.post(f"{url}/run_code", json={"code": CODE, "language": "python"}).json()
            assert reply["status"] == "Success" and reply["run_result"]["stdout"] == "45\n", reply
            return 1

        for clients in (1, 8, 64):
            n = max(jobs, clients)
            a, b = measure(local, n, clients), measure(remote, n, clients)
            out.append(f"| | {clients} | {a['req_s']:.1f} | {a['p50_ms']:.1f} | {a['p99_ms']:.1f} | {b['req_s']:.1f} "
                       f"| {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | {b['req_s'] / a['req_s']:.2f}x |")
            print(out[-1], flush=True)
    client.close()
    return out


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker replaced between listing and reading
            total += p.memory_info().rss
    return total


def overload_section(url: str, pid: int, queue_rows: int) -> list[str]:
    server = psutil.Process(pid)
    verifier = get_task("arithmetic").verifier()
    baseline = tree_rss(server)
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(server))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    clients, per_client = 64, max(1, 10 * queue_rows // 64)
    ok = [0] * clients
    retries = [0] * clients

    def client(i: int) -> None:
        c, r = rows(per_client, i * per_client)
        with RemoteVerifierPool(url, backoff_s=0.05) as pool:
            scores = pool.map(verifier, c, r, timeout_s=10)
            retries[i] = pool.retries
        ok[i] = sum(s.status is Status.OK for s in scores) if [s.value for s in scores] == expected(
            per_client, i * per_client) else -1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    answered = sum(x for x in ok if x > 0)
    line = (f"| {clients} clients x {per_client} rows = {clients * per_client} rows at once (queue cap {queue_rows}) "
            f"| {sum(retries)} | {answered}/{clients * per_client} | {baseline / 2**20:.0f} MiB | "
            f"{peak[0] / 2**20:.0f} MiB | {wall:.1f} s |")
    print(line, flush=True)
    return ["| overload | 429s retried | rows answered right | RSS before (server + workers) | peak RSS | wall |",
            "|" + "---|" * 6, line]


def load_section(url: str, total: int) -> list[str]:
    verifier = get_task("arithmetic").verifier()
    chunk, lost, wrong = 5000, 0, 0
    start = time.perf_counter()
    with RemoteVerifierPool(url, rows_per_request=1000, max_parallel=8) as pool:
        for offset in range(0, total, chunk):
            n = min(chunk, total - offset)
            scores = pool.map(verifier, *rows(n, offset), timeout_s=10)
            lost += n - len(scores) + sum(s.status is not Status.OK for s in scores)
            wrong += sum(s.value != e for s, e in zip(scores, expected(n, offset), strict=False))
    wall = time.perf_counter() - start
    line = f"| {total} | {wall:.0f} s | {total / wall:.0f} | {lost} | {wrong} |"
    print(line, flush=True)
    return ["| load test rows | wall | rows/s | rows lost or unscored | rows with a wrong value |",
            "|" + "---|" * 5, line]


def section(name: str, url: str, pid: int, queue_rows: int, args: argparse.Namespace) -> list[str]:
    if name == "math":
        return math_section(url, args.workers, args.batch, args.rows)
    if name == "code":
        return code_section(url, args.sandbox_pool, args.code_jobs)
    if name == "load":
        return load_section(url, args.load_rows)
    return overload_section(url, pid, queue_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sandbox-pool", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rows", type=int, default=2048, help="math rows per measurement")
    parser.add_argument("--code-jobs", type=int, default=64)
    parser.add_argument("--queue-rows", type=int, default=2048, help="the server's queue cap, for the overload")
    parser.add_argument("--load-rows", type=int, default=100_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["math", "code", "overload", "load"])
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}", flush=True)
    tables = []
    # Throughput and the load test on a server with the default queue; the overload on one whose
    # queue is small, so that 10x its cap fits in this machine's memory many times over.
    for queue_rows, names in ((65536, ("math", "code", "load")), (args.queue_rows, ("overload",))):
        names = tuple(n for n in names if n not in args.skip)
        if not names:
            continue
        process, url = start_server(args.workers, args.sandbox_pool, queue_rows)
        try:
            tables += [section(name, url, process.pid, queue_rows, args) for name in names]
        finally:
            stop(process)
    for table in tables:
        print("\n" + "\n".join(table))


if __name__ == "__main__":
    main()
