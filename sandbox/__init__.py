"""rlvr.sandbox: run untrusted Python under hard limits.

    from rlvr.sandbox import DockerSandbox, SandboxConfig

    with DockerSandbox(SandboxConfig(pool_size=2)) as sandbox:
        result = sandbox.run("print(input()[::-1])", stdin="abc", timeout_s=2)
        assert result.ok and result.stdout == "cba\\n"

`DockerSandbox` is the security boundary (a pool of locked-down containers);
`ProcessSandbox` is the same worker on the host, for trusted code only.
`run_abuse_suite` proves the limits hold on a live engine (``rlvr sandbox doctor``).
The image is made by `build_image` (``rlvr sandbox build``).
"""

from __future__ import annotations

from .abuse import CASES, CaseReport, run_abuse_suite, self_check
from .config import SandboxConfig, make_sandbox
from .docker_pool import DockerSandbox
from .image import DEFAULT_IMAGE, ImageBuildError, build_image
from .jobs import ExecResult, ExecStatus, Job, Sandbox
from .pool import SandboxUnavailable
from .process import ProcessSandbox, UnsafeSandboxWarning

__all__ = [
    "CASES",
    "DEFAULT_IMAGE",
    "CaseReport",
    "DockerSandbox",
    "ExecResult",
    "ExecStatus",
    "ImageBuildError",
    "Job",
    "ProcessSandbox",
    "Sandbox",
    "SandboxConfig",
    "SandboxUnavailable",
    "UnsafeSandboxWarning",
    "build_image",
    "make_sandbox",
    "run_abuse_suite",
    "self_check",
]
