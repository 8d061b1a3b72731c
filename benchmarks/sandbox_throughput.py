"""Sandbox throughput: our container pool vs ``docker run --rm`` per job, in one run.

    python benchmarks/sandbox_throughput.py [--jobs 200] [--baseline-jobs 16]

For a trivial snippet and a snippet with 10 asserts, at concurrency 1, 2 and 4,
it measures executions per second and p50/p95 latency of (a) one locked-down
``docker run --rm`` per job (the same flags as the pool) and (b) `DockerSandbox`
with as many containers as the concurrency. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from rlvr.sandbox import DockerSandbox, ExecStatus, SandboxConfig, build_image

TRIVIAL = "print(1 + 1)\n"
TEN_ASSERTS = (
    "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n"
    + "".join(f"assert fib({n}) == {v}\n" for n, v in
              [(0, 0), (1, 1), (2, 1), (3, 2), (10, 55), (20, 6765), (5, 5), (6, 8), (7, 13), (30, 832040)])
    + "print('ok')\n"
)
SNIPPETS = {"trivial": TRIVIAL, "10 asserts": TEN_ASSERTS}


def docker_run_once(image: str, code: str) -> bool:
    """The baseline: a fresh locked-down container per job, removed afterwards."""
    result = subprocess.run(
        ["docker", "run", "--rm", "-i", "--network", "none", "--read-only", "--tmpfs", "/tmp:size=64m",
         "--shm-size", "16m", "--memory", "1024m", "--pids-limit", "64", "--cpus", "1", "--cap-drop", "ALL",
         "--security-opt", "no-new-privileges", "--user", "65534:65534", "--log-driver", "none",
         image, "python3", "-c", code], capture_output=True, text=True, timeout=120)
    return result.returncode == 0 and result.stdout.strip() in ("2", "ok")


def measure(run_one: Callable[[], bool], jobs: int, concurrency: int) -> dict[str, float]:
    def timed(_: int) -> tuple[float, bool]:
        start = time.perf_counter()
        ok = run_one()
        return time.perf_counter() - start, ok

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as ex:
        samples = list(ex.map(timed, range(jobs)))
    wall = time.perf_counter() - start
    latencies = sorted(s for s, _ in samples)
    return {"per_s": jobs / wall, "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
            "failed": sum(not ok for _, ok in samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per pool measurement")
    parser.add_argument("--baseline-jobs", type=int, default=16, help="jobs per docker-run measurement")
    parser.add_argument("--image", default=SandboxConfig().image)
    args = parser.parse_args()
    build_image(args.image)
    rows = []
    for concurrency in (1, 2, 4):
        with DockerSandbox(SandboxConfig(image=args.image, pool_size=concurrency)) as sandbox:
            sandbox.warm_up()
            for name, code in SNIPPETS.items():
                def pool_once(code: str = code) -> bool:
                    r = sandbox.run(code, timeout_s=10)
                    return r.status is ExecStatus.OK and r.exit_code == 0 and r.stdout.strip() in ("2", "ok")

                measure(pool_once, 10, concurrency)  # warm the page cache and the containers
                ours = measure(pool_once, args.jobs, concurrency)
                base = measure(lambda code=code: docker_run_once(args.image, code), args.baseline_jobs, concurrency)
                rows.append((name, concurrency, base, ours))
    print(f"machine: {platform.node()} {platform.machine()}, {__import__('os').cpu_count()} CPUs; "
          f"pool jobs {args.jobs}, docker-run jobs {args.baseline_jobs}\n")
    print("| snippet | concurrency | `docker run --rm` exec/s | p50 ms | p95 ms | rlvr pool exec/s | p50 ms | p95 ms | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, concurrency, base, ours in rows:
        print(f"| {name} | {concurrency} | {base['per_s']:.1f} | {base['p50_ms']:.0f} | {base['p95_ms']:.0f} "
              f"| {ours['per_s']:.1f} | {ours['p50_ms']:.1f} | {ours['p95_ms']:.1f} "
              f"| {ours['per_s'] / base['per_s']:.0f}x |")
    failed = sum(base["failed"] + ours["failed"] for _, _, base, ours in rows)
    if failed:
        print(f"\n{failed} job(s) failed: the numbers above are not valid")


if __name__ == "__main__":
    main()
