"""The abuse suite: hostile programs run against a live sandbox, each checked for containment.

Each case states the statuses it must end with and inspects what the job could
see. After every case a probe job must be served in time (1 s plus what load explains: see
`abuse_probe`) and must find no process but itself and the worker, and an empty ``/tmp`` and
``/dev/shm``; for Docker, no container of ours may exist beyond the pool's own.

The suite builds its own one-container sandbox from the config, so the probe
always lands in the container the case just abused. ``rlvr sandbox doctor``
prints it; `CodeVerifier` calls `self_check` before scoring anything, which runs
the suite once and records a pass on disk (keyed by the config, the image, the
sandbox's own source and the boot; valid one hour) so that the many processes
of one training run (``verify_batch`` workers) do not each spend 4 s on it.

Limits: it proves the limits hold for these attacks on this machine, not that
no other attack exists. The network case targets a listener on the host's
Docker bridge gateway (what a container with a network reaches the host by),
or 127.0.0.1 when no bridge is found; nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .abuse_probe import container_pids, next_job, timed_probe
from .abuse_programs import ANSWER_KEY as _ANSWER_KEY
from .abuse_programs import ANSWER_KEY_BODY as ANSWER_KEY_BODY
from .abuse_programs import ATTACK_FORK_SERVER as _ATTACK_FORK_SERVER
from .abuse_programs import ESCALATE as _ESCALATE
from .abuse_programs import FORGE_RESULTS, INODE_FLOOD, JUNK_THEN_EXIT, PTRACED_ZOMBIE, host_files
from .abuse_programs import KERNEL_MEMORY as _KERNEL_MEMORY
from .abuse_programs import LEAVE_STATE as _LEAVE_STATE
from .abuse_programs import NETWORK_SOCKETS as _NETWORK_SOCKETS
from .config import SandboxConfig
from .harness import assert_job
from .jobs import ExecResult, ExecStatus, Job


@dataclass
class Context:
    """What the host knows and the job must not: a secret file, a loopback listener."""

    secret: str
    secret_file: Path
    listener: socket.socket
    port: int
    host: str = "127.0.0.1"  # the listener's address
    project_file: Path = field(default_factory=lambda: Path(__file__).resolve())

    def connections(self) -> int:
        """Connections the loopback listener received (it never blocks)."""
        self.listener.setblocking(False)
        count = 0
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, OSError):
                return count
            conn.close()
            count += 1


@dataclass
class Case:
    name: str
    attack: str
    code: Callable[[Context], str]
    expect: frozenset[ExecStatus]
    check: Callable[[ExecResult, Context], list[str]] = lambda result, ctx: []
    timeout_s: float = 1.0
    memory_mb: int = 256
    # With tests, ``code`` is a candidate run by the assert harness against them (`harness.assert_job`).
    tests: Callable[[Context], list[str]] | None = None
    helpers: str = ""  # trusted code beside the tests (`harness.assert_job`)


@dataclass
class CaseReport:
    name: str
    attack: str
    status: str
    expected: str
    seconds: float
    next_job_s: float
    next_job_limit_s: float  # `abuse_probe.next_job`: 1 s plus what load explains
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def _no_output(marker: str) -> Callable[[ExecResult, Context], list[str]]:
    return lambda r, ctx: [f"job printed {marker!r}: the attack worked"] if marker in r.stdout else []


def _host_files(r: ExecResult, ctx: Context) -> list[str]:
    problems = []
    if ctx.secret in r.stdout or ctx.secret in r.stderr:
        problems.append("job read a host file or the host's environment")
    try:
        seen = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [*problems, f"job output unreadable: {r.stdout[-200:]!r} {r.stderr[-300:]!r}"]
    if seen["project"]:
        problems.append("job could read the project's source files")
    if len(seen["pids"]) > 2:
        problems.append(f"job saw {len(seen['pids'])} processes (host processes visible)")
    return problems


def _network(r: ExecResult, ctx: Context) -> list[str]:
    got = ctx.connections()
    return [f"the host listener on {ctx.host}:{ctx.port} got {got} connection(s)"] if got else []


def host_address() -> str:
    """The host's address on Docker's default bridge (e.g. 172.17.0.1), else 127.0.0.1."""
    import ipaddress

    from .image import docker_cli

    try:
        out = subprocess.run([docker_cli(), "network", "inspect", "bridge", "--format", "{{json .IPAM.Config}}"],
                             capture_output=True, text=True, timeout=20).stdout
        for entry in json.loads(out or "[]"):
            if entry.get("Gateway"):
                return str(ipaddress.ip_address(entry["Gateway"]))
            net = ipaddress.ip_network(entry.get("Subnet", ""))
            if net.version == 4:
                return str(next(net.hosts()))  # the engine gives the bridge the subnet's first address
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return "127.0.0.1"


def _privileges(r: ExecResult, ctx: Context) -> list[str]:
    try:
        seen = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [f"job output unreadable: {r.stdout[-200:]!r} {r.stderr[-300:]!r}"]
    problems = []
    if seen["uid"] == 0 or seen["setuid_root"]:
        problems.append("job runs as root or became root")
    if int(seen["cap_eff"], 16):
        problems.append(f"job holds capabilities {seen['cap_eff']}")
    if seen["no_new_privs"] != "1":
        problems.append("no_new_privs is off")
    if seen["nets"] != ["lo"]:
        problems.append(f"network interfaces visible: {seen['nets']}")
    if seen["written"]:
        problems.append(f"read-only paths were writable: {seen['written']}")
    if seen["ran_dropped_binary_in"]:
        problems.append(f"a dropped binary ran from {seen['ran_dropped_binary_in']}")
    return problems


def _disk(r: ExecResult, ctx: Context) -> list[str]:
    return ["job wrote 10 GB"] if "wrote all" in r.stdout else []


def _verdicts(expected: list[bool]) -> Callable[[ExecResult, Context], list[str]]:
    def check(r: ExecResult, ctx: Context) -> list[str]:
        from .harness import read_results

        results = read_results(r)
        got = [bool(x.get("passed")) for x in results] if results else None
        return [] if got == expected else [f"tests passed {got}, expected {expected}: the verdict was gamed"]
    return check


CASES: list[Case] = [
    Case("infinite_loop", "while True: pass", lambda c: "while True:\n    pass\n",
         frozenset({ExecStatus.TIMEOUT})),
    Case("fork_bomb", "fork until the pid limit, forever",
         lambda c: "import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.01)\n",
         frozenset({ExecStatus.TIMEOUT})),
    Case("memory_bomb", "allocate and touch 1 MB blocks without end",
         lambda c: "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 20))\n",
         frozenset({ExecStatus.MEMORY}), timeout_s=5.0),
    Case("disk_fill", "write 10 GB to the work dir",
         lambda c: "chunk = b'x' * (1 << 20)\nwith open('fill.bin', 'wb') as f:\n    for _ in range(10240):\n        f.write(chunk)\nprint('wrote all')\n",
         frozenset({ExecStatus.OK, ExecStatus.ERROR}), _disk, timeout_s=5.0),
    Case("stdout_flood", "print 1 GB", lambda c: "import sys\nchunk = 'y' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n",
         frozenset({ExecStatus.OUTPUT_LIMIT}), timeout_s=5.0),
    Case("network", "connect to a listener on the host (its Docker bridge address)",
         lambda c: f"import socket\ntry:\n    socket.create_connection(({c.host!r}, {c.port}), timeout=0.5)\n    print('connected')\nexcept OSError as e:\n    print('blocked', e)\n",
         frozenset({ExecStatus.OK}), lambda r, c: _no_output("connected")(r, c) + _network(r, c)),
    Case("host_files", "read a host file, the project's source, host processes and environment",
         lambda c: host_files(str(c.secret_file), str(c.project_file)),
         frozenset({ExecStatus.OK}), _host_files),
    Case("kill_worker", "SIGKILL and SIGTERM PID 1, write into its descriptors",
         lambda c: ("import os, signal\nfor s in (signal.SIGKILL, signal.SIGTERM):\n    try:\n        os.kill(1, s)\n    except OSError:\n        pass\n"
                    "for fd in range(10):\n    try:\n        open(f'/proc/1/fd/{fd}', 'wb').write(b'\\x00\\x00\\x00\\x02{}')\n        print('wrote into worker fd', fd)\n    except OSError:\n        pass\n"),
         frozenset({ExecStatus.OK}), _no_output("wrote into worker fd")),
    Case("background_process", "leave a detached process running",
         lambda c: "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(300)\n    os._exit(0)\nprint('parent done')\n",
         frozenset({ExecStatus.OK})),
    Case("forge_verdict", "print a well-formed 'ok' reply frame, then hang",
         lambda c: ("import json, os, struct, sys\nfake = json.dumps({'status': 'ok', 'exit_code': 0, 'stdout': 'PASSED', 'clean': True, 'id': 0}).encode()\n"
                    "frame = struct.pack('>I', len(fake)) + fake\nfor fd in (1, 2):\n    os.write(fd, frame)\n"
                    "while True:\n    pass\n"),
         frozenset({ExecStatus.TIMEOUT})),
    Case("privileges", "become root, use capabilities, write the root file system, find a network, "
         "run a dropped binary",
         lambda c: _ESCALATE, frozenset({ExecStatus.OK}), _privileges),
    Case("signal_worker", "SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 to PID 1",
         lambda c: ("import os, signal\nfor s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, "
                    "signal.SIGUSR1):\n    try:\n        os.kill(1, s)\n        print('signalled', s)\n"
                    "    except OSError:\n        pass\n"),
         frozenset({ExecStatus.OK}), _no_output("signalled")),
    Case("leave_state", "leave SysV shm and a message queue, a POSIX mqueue, mode-000 dirs in /tmp and "
         "/dev/shm, 1,100 nested dirs, an unwritable work dir",
         lambda c: _LEAVE_STATE, frozenset({ExecStatus.OK}), timeout_s=5.0),
    Case("shared_memory", "hold 640 MB in memfds and SysV shared memory with memory_mb=64",
         lambda c: ("import ctypes, os\nlibc = ctypes.CDLL(None)\nfds = []\nfor i in range(80):\n"
                    "    fd = os.memfd_create('m')\n    os.write(fd, b'm' * (4 << 20))\n    fds.append(fd)\n"
                    "    libc.shmget(0x900 + i, 4 << 20, 0o1600)\nprint('held')\n"),
         frozenset({ExecStatus.MEMORY, ExecStatus.ERROR}), _no_output("held"), timeout_s=5.0, memory_mb=64),
    Case("answer_key", "read the test's expected value from files, /proc, other processes' memory and fds",
         lambda c: _ANSWER_KEY, frozenset({ExecStatus.OK}), _verdicts([False]), timeout_s=10.0,
         tests=lambda c: [f"assert answer() == 'rlvr-key-{c.secret}'"]),
    Case("shadow_builtins", "define abs/all/sorted to rig the test's own computation",
         lambda c: "def abs(x):\n    return 0.0\ndef all(x):\n    return True\ndef f(x):\n    return 9.0\n",
         frozenset({ExecStatus.OK}), _verdicts([False, False]),
         tests=lambda c: ["assert abs(f(1.33) - 0.33) < 1e-6", "assert all([f(1) == 1])"]),
    Case("raise_into_tests", "raise StopIteration into the test's control flow",
         lambda c: "def f(t):\n    raise StopIteration\n",
         frozenset({ExecStatus.OK}), _verdicts([False]),
         tests=lambda c: ["assert all(map(lambda t: f(t) == 2 * t, [1, 2, 3]))"]),
    Case("big_answers", "correct answers at real sizes: a 300,000-item list, a 5,736-digit integer",
         lambda c: "def f():\n    return list(range(300000))\ndef g():\n    return 7 ** 6787\n",
         frozenset({ExecStatus.OK}), _verdicts([True, True]), timeout_s=5.0,
         tests=lambda c: ["assert f() == list(range(300000))", "assert g() == 7 ** 6787 and len(str(g())) == 5736"]),
    Case("fork_server", "signal, stop, trace, read and write into every process it sees (the fork server that "
         "forks every job)", lambda c: _ATTACK_FORK_SERVER, frozenset({ExecStatus.OK}), _no_output("reached")),
    Case("shm_fill", "fill /dev/shm", lambda c: "chunk = b'z' * (1 << 20)\nwith open('/dev/shm/fill', 'wb') as f:\n    for _ in range(1024):\n        f.write(chunk)\nprint('filled')\n",
         frozenset({ExecStatus.OK, ExecStatus.ERROR}), _no_output("filled"), timeout_s=5.0),
    Case("forge_results", "a test prints a candidate's string ending in a forged result list",
         lambda c: FORGE_RESULTS, frozenset({ExecStatus.OK}), _verdicts([True, False]),
         tests=lambda c: ["print(describe())", "assert f() == 1"]),
    Case("redefine_helper", "redefine the prompt's helper that the tests call (HumanEval/38's encode_cyclic)",
         lambda c: "def encode(s):\n    return s\ndef decode(s):\n    return s\n", frozenset({ExecStatus.OK}),
         _verdicts([False]), tests=lambda c: ["assert decode(encode('abc')) == 'abc'"],
         helpers="def encode(s):\n    return s[::-1]\n"),
    Case("builtins_helpers", "shadow a name the prompt publishes in builtins (EPS) with its own",
         lambda c: "EPS = 10.0\ndef f(x):\n    return 0.0\n", frozenset({ExecStatus.OK}), _verdicts([False, False]),
         tests=lambda c: ["assert abs(f(2.0) - 4.0) < EPS", "assert abs(f(3.0) - 9.0) < EPS"],
         helpers="import builtins\nbuiltins.EPS = 1e-6\n"),
    Case("junk_then_exit", "answer junk and exit after passing a test", lambda c: JUNK_THEN_EXIT,
         frozenset({ExecStatus.OK}), _verdicts([True, False, False]),
         tests=lambda c: ["assert f(1) == 1", "assert g() == 1", "assert f(3) == 3"]),
    Case("realtime_signal", "kill itself with a real-time signal (40)", lambda c: "import os\nos.kill(os.getpid(), 40)\n",
         frozenset({ExecStatus.ERROR})),
    Case("ptraced_zombie", "exit while its own child ptraces it", lambda c: PTRACED_ZOMBIE,
         frozenset({ExecStatus.OK}), timeout_s=3.0),
    Case("inode_flood", "fill /tmp with empty directories (clean-up must stay short)", lambda c: INODE_FLOOD,
         frozenset({ExecStatus.OK})),
    Case("kernel_memory", "hold SysV message queues, pipe and socket buffers (kernel memory) with memory_mb=32",
         lambda c: _KERNEL_MEMORY, frozenset({ExecStatus.MEMORY}), _no_output("unbounded"), timeout_s=5.0, memory_mb=32),
    Case("network_sockets", "open TCP/UDP/packet/netlink sockets or an io_uring; fill loopback TCP buffers (memory_mb=64)",
         lambda c: _NETWORK_SOCKETS, frozenset({ExecStatus.OK}), _no_output("opened"), timeout_s=10.0, memory_mb=64),
]


def run_abuse_suite(config: SandboxConfig | None = None, names: list[str] | None = None) -> list[CaseReport]:
    """Run every case (or those named) on a fresh one-worker sandbox built from ``config``.

    Docker only: against `ProcessSandbox` these programs would run on the host itself.
    """
    from .config import make_sandbox

    config = (config or SandboxConfig()).model_copy(update={"pool_size": 1})
    if config.backend != "docker":
        raise ValueError("the abuse suite runs only against the docker backend: the process backend "
                         "is not a security boundary, and these attacks would hit the host")
    cases = [c for c in CASES if names is None or c.name in names]
    with tempfile.TemporaryDirectory(prefix="rlvr-abuse-") as tmp, socket.socket() as listener:
        address = host_address()
        listener.bind((address, 0))
        listener.listen(8)
        ctx = Context(secret=secrets.token_hex(16), secret_file=Path(tmp) / "secret.txt",
                      listener=listener, port=listener.getsockname()[1], host=address)
        ctx.secret_file.write_text(ctx.secret)
        os.environ["RLVR_ABUSE_SECRET"] = ctx.secret  # only children started after this can inherit it
        sandbox = make_sandbox(config)
        try:
            sandbox.warm_up()  # type: ignore[attr-defined]
            return [_run_case(sandbox, case, ctx, config) for case in cases]
        finally:
            sandbox.close()
            os.environ.pop("RLVR_ABUSE_SECRET", None)


def _run_case(sandbox: object, case: Case, ctx: Context, config: SandboxConfig) -> CaseReport:
    from .docker_pool import DockerSandbox, list_containers, live_container_names, owner_label

    disk_before = shutil.disk_usage(tempfile.gettempdir()).free
    replaced_before = getattr(sandbox, "replaced", 0)
    pids = container_pids(sandbox.container_names() if isinstance(sandbox, DockerSandbox) else set())
    before_s = timed_probe(sandbox)[1]  # in the container the case runs in, at the host's load of now
    start = time.monotonic()
    if case.tests is None:
        job = Job(code=case.code(ctx), timeout_s=case.timeout_s, memory_mb=case.memory_mb)
    else:
        job = assert_job(case.code(ctx), case.tests(ctx), time_limit_s=case.timeout_s, memory_mb=case.memory_mb,
                         helpers=case.helpers)
    result = sandbox.run_job(job)  # type: ignore[attr-defined]
    seconds = time.monotonic() - start
    problems = []
    if result.status not in case.expect:
        problems.append(f"status {result.status.value} ({result.detail}), expected "
                        + " or ".join(sorted(s.value for s in case.expect)))
    problems += case.check(result, ctx)
    next_job_s, limit_s, probe_problems = next_job(sandbox, pids, before_s)
    problems += probe_problems
    if shutil.disk_usage(tempfile.gettempdir()).free < disk_before - (512 << 20):
        problems.append("the host lost more than 512 MB of free disk")
    if isinstance(sandbox, DockerSandbox):
        extra = {name for name, _ in list_containers(owner_label())} - live_container_names()
        if extra or len(sandbox.container_names()) > config.pool_size:
            problems.append(f"containers leaked: {sorted(extra) or sorted(sandbox.container_names())}")
    if getattr(sandbox, "replaced", 0) > replaced_before:
        problems.append("the worker died or wedged and had to be replaced")
    return CaseReport(case.name, case.attack, result.status.value,
                      " or ".join(sorted(s.value for s in case.expect)), round(seconds, 3), round(next_job_s, 3),
                      round(limit_s, 3), problems)


SELF_CHECK_TTL_S = 3600.0


def _self_check_record(config: SandboxConfig) -> Path:
    image_id = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", config.image],
                              capture_output=True, text=True, timeout=60).stdout.strip()
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    cases = ",".join(c.name for c in CASES)
    for part in (config.key(), image_id, boot, cases, *(p.read_text() for p in sorted(here.glob("*.py")))):
        digest.update(part.encode())
    root = Path(os.environ.get("RLVR_CACHE", Path.home() / ".cache" / "rlvr"))
    return root / "sandbox" / f"self-check-{digest.hexdigest()[:24]}.json"


def self_check(config: SandboxConfig) -> list[str]:
    """The cases that failed (``[]``: every limit holds), from a fresh suite or a recent recorded pass.

    Only passes are recorded: a failure is re-checked every time.
    """
    record = _self_check_record(config)
    if record.is_file() and time.time() - record.stat().st_mtime < SELF_CHECK_TTL_S:
        return []
    reports = run_abuse_suite(config)
    failed = [f"{r.name}: {'; '.join(r.problems)}" for r in reports if not r.passed]
    if not failed:
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([r.name for r in reports]))
        tmp.replace(record)  # atomic: concurrent checkers never read half a file
    return failed
