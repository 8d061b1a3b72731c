"""Kernel network buffers a job could hold (rts2, issue 9), run for real against Docker.

On b6422a3 a plain job with memory_mb=64 opened 120 loopback TCP connections with 1 GB socket buffers,
filled them and never read: status ok, /proc/net/sockstat TCP memory 1 -> 1411 MB (cgroup v1 charges
no TCP buffer to the job, and that memory is the host's, shared by every TCP socket on it). Jobs now
open no network socket at all (a seccomp filter in every job process), only unix ones.
"""

from __future__ import annotations

import errno
import json

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus
from rlvr.sandbox.docker_pool import NET_SYSCTLS
from rlvr.verifiers import Status
from rlvr.verifiers.code import CodeVerifier

pytestmark = pytest.mark.docker

# The red team's tcp_probe job (rts2/redteam/tcp_probe.py), with 60 connections.
TCP_FILL = r'''
import socket, json
def tcpmem():
    for line in open("/proc/net/sockstat"):
        if line.startswith("TCP:"):
            f = line.split(); return int(f[f.index("mem") + 1]) * 4096 >> 20
t0 = tcpmem()
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(512)
held, sent = [], 0
for i in range(60):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
    c.connect(srv.getsockname()); s, _ = srv.accept()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
    c.setblocking(False)
    try:
        while True:
            sent += c.send(b"x" * 1048576)
    except OSError:
        pass
    held.append((c, s))
print(json.dumps({"tcp0": t0, "tcp1": tcpmem(), "sent_mb": sent >> 20}))
'''

FAMILIES = r'''
import ctypes, json, socket
out = {}
for name in ("AF_INET", "AF_INET6", "AF_PACKET", "AF_NETLINK"):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
        try:
            socket.socket(getattr(socket, name), kind).close()
            out[f"{name}/{kind}"] = 0
        except OSError as e:
            out[f"{name}/{kind}"] = e.errno
a, b = socket.socketpair()
a.sendall(b"unix")
out["unix"] = b.recv(4).decode()
libc = ctypes.CDLL(None, use_errno=True)
out["io_uring_setup"] = libc.syscall(425, 8, ctypes.create_string_buffer(120)), ctypes.get_errno()
out["tcp_wmem"] = open("/proc/sys/net/ipv4/tcp_wmem").read().split()
print(json.dumps(out))
'''


def test_loopback_tcp_buffers_cannot_be_filled(docker_sandbox: DockerSandbox) -> None:
    r = docker_sandbox.run(TCP_FILL, timeout_s=20, memory_mb=64)
    assert (r.status, r.exit_code) == (ExecStatus.OK, 1), (r.status, r.stdout[-300:])
    assert "PermissionError" in r.stderr and "Errno 13" in r.stderr
    assert r.stdout == ""
    assert docker_sandbox.run("print('next ok')").stdout == "next ok\n"


def test_no_network_socket_family_and_no_io_uring(docker_sandbox: DockerSandbox) -> None:
    r = docker_sandbox.run(FAMILIES, timeout_s=10)
    assert r.status is ExecStatus.OK, (r.status, r.stderr[-500:])
    out = json.loads(r.stdout)
    assert {k: v for k, v in out.items() if k.startswith("AF_")} == {
        f"{name}/{kind}": errno.EACCES for name in ("AF_INET", "AF_INET6", "AF_PACKET", "AF_NETLINK")
        for kind in (1, 2, 3)}
    assert out["unix"] == "unix"  # unix sockets stay: Python's own socketpair, multiprocessing, asyncio
    assert out["io_uring_setup"][0] == -1 and out["io_uring_setup"][1] == errno.ENOSYS
    assert out["tcp_wmem"] == NET_SYSCTLS["net.ipv4.tcp_wmem"].split()


def test_the_harness_candidate_opens_no_network_socket(docker_sandbox: DockerSandbox) -> None:
    verifier = CodeVerifier(docker_sandbox, self_check=False, retries=0)
    candidate = ("import socket\ntry:\n    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n    R = 'open'\n"
                 "except OSError as e:\n    R = e.errno\n")
    score = verifier(f"```python\n{candidate}```", {"asserts": [f"assert R == {errno.EACCES}"]})
    assert (score.status, score.value) == (Status.OK, 1.0), score.details
