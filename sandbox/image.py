"""Build the sandbox image: offline from a Debian mirror, or from a Dockerfile.

The default image is a minimal Debian bookworm root with ``python3`` (full
standard library, no pip), made by ``debootstrap`` and turned into an image by
``docker import``. This needs only the Debian mirror that the machine's apt
already uses, so it works where no image registry is reachable. Where one is,
``build_image(dockerfile=...)`` runs ``docker build`` on the shipped Dockerfile.

The worker script is not baked in: it is bind-mounted read-only at start, so an
image never runs an old worker.

Limits: the debootstrap route needs root (or fakeroot) and ``debootstrap`` on
the host; it takes about a minute on a fast mirror.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULT_IMAGE = "rlvr-sandbox:bookworm"
DEFAULT_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DOCKERFILE = Path(__file__).with_name("Dockerfile")
_APT_SOURCES = [Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d")]


class ImageBuildError(RuntimeError):
    """The image could not be built; the message says which step failed and why."""


def docker_cli() -> str:
    path = shutil.which("docker")
    if path is None:
        raise ImageBuildError("the docker CLI is not on PATH (install docker.io)")
    return path


def image_exists(image: str) -> bool:
    probe = subprocess.run([docker_cli(), "image", "inspect", image], capture_output=True, timeout=60)
    return probe.returncode == 0


def apt_mirror(sources: list[Path] | None = None) -> str:
    """The first main Debian mirror in the machine's apt sources (one-line or deb822 format).

    Security and update archives are skipped: debootstrap needs the main archive.
    Falls back to ``deb.debian.org`` when none is configured.
    """
    files: list[Path] = []
    for entry in sources if sources is not None else _APT_SOURCES:
        if entry.is_dir():
            files.extend(sorted(entry.glob("*.list")) + sorted(entry.glob("*.sources")))
        elif entry.is_file():
            files.append(entry)
    for path in files:
        text = path.read_text(errors="replace")
        candidates = re.findall(r"^\s*URIs:\s*(\S+)", text, flags=re.MULTILINE)
        candidates += re.findall(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, flags=re.MULTILINE)
        for uri in candidates:
            if uri.startswith(("http://", "https://")) and "security" not in uri:
                return uri.rstrip("/")
    return DEFAULT_MIRROR


def _run(step: str, command: list[str] | str, **kwargs: object) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        tail = (result.stderr or result.stdout or "").strip().splitlines()[-15:]
        raise ImageBuildError(f"{step} failed (exit {result.returncode}):\n" + "\n".join(tail))


def build_image(
    image: str = DEFAULT_IMAGE,
    *,
    mirror: str | None = None,
    dockerfile: Path | None = None,
    force: bool = False,
) -> bool:
    """Build ``image`` unless it exists. Returns True when it built, False when it was already there."""
    if not force and image_exists(image):
        return False
    if dockerfile is not None:
        if not dockerfile.is_file():
            raise ImageBuildError(f"no Dockerfile at {dockerfile}")
        _run("docker build", [docker_cli(), "build", "-t", image, "-f", str(dockerfile), str(dockerfile.parent)])
        return True
    debootstrap = shutil.which("debootstrap") or ("/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None)
    if debootstrap is None:
        raise ImageBuildError("debootstrap is not installed (apt-get install debootstrap), or pass --dockerfile")
    with tempfile.TemporaryDirectory(prefix="rlvr-rootfs-") as tmp:
        root = Path(tmp) / "root"
        _run(
            "debootstrap",
            [debootstrap, "--variant=minbase", "--include=python3", DEFAULT_SUITE, str(root), mirror or apt_mirror()],
        )
        # Package caches and lists are dead weight in a read-only sandbox.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(root / junk, ignore_errors=True)
        _run(
            "docker import",
            f"tar -C {root} -c . | {docker_cli()} import "
            "-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "
            "-c 'ENV LANG=C.UTF-8' -c 'WORKDIR /tmp' "
            f"- {image}",
            shell=True,
        )
    return True
