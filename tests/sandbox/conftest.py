"""Docker fixtures: one real pool per session. No skipping: a Docker test that skips does not count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rlvr.sandbox import DEFAULT_IMAGE, DockerSandbox, SandboxConfig, build_image


@pytest.fixture(scope="session")
def sandbox_image() -> str:
    build_image(DEFAULT_IMAGE)  # a no-op when the image exists; ~40 s on a fresh machine
    return DEFAULT_IMAGE


@pytest.fixture(scope="session")
def docker_sandbox(sandbox_image: str) -> Iterator[DockerSandbox]:
    with DockerSandbox(SandboxConfig(image=sandbox_image, pool_size=2)) as sandbox:
        sandbox.warm_up()
        yield sandbox
