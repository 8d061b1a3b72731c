"""The host end of one worker: a subprocess whose stdin/stdout carry framed JSON.

For `DockerSandbox` the subprocess is ``docker run -i ...`` (its stdin/stdout are
the container's PID 1's); for `ProcessSandbox` it is the worker itself. Every
read has a deadline: a worker that does not answer in time is declared wedged
and killed, never waited on.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import tempfile
import time
from typing import Any

from .frames import HEADER, MAX_REQUEST_BYTES


class ChannelError(RuntimeError):
    """The worker died, closed its channel, sent garbage, or missed its deadline."""


class WorkerChannel:
    def __init__(self, argv: list[str], *, name: str = "", start_timeout_s: float = 60.0) -> None:
        self.name = name  # the container's name, when there is one
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the channel; the docker CLI's complaints, for the error message
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._errors, close_fds=True,
                                        start_new_session=True)  # Ctrl-C is the pool's to handle
        self._buffer = bytearray()
        try:
            self.hello = self._read(time.monotonic() + start_timeout_s)
        except ChannelError:
            self.close()
            raise

    def alive(self) -> bool:
        return self.process.poll() is None

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one request and wait at most ``timeout_s`` for its reply."""
        deadline = time.monotonic() + timeout_s
        body = json.dumps(message, ensure_ascii=False).encode()
        if len(body) > MAX_REQUEST_BYTES:
            raise ChannelError(f"request of {len(body)} bytes exceeds the worker's {MAX_REQUEST_BYTES}")
        self._write(HEADER.pack(len(body)) + body, deadline)
        return self._read(deadline)

    def receive(self, timeout_s: float) -> dict[str, Any]:
        """The next frame, waiting at most ``timeout_s``."""
        return self._read(time.monotonic() + timeout_s)

    def _write(self, data: bytes, deadline: float) -> None:
        """Write all of ``data`` before ``deadline``: a frozen worker that stops reading cannot hang us."""
        assert self.process.stdin is not None
        fd = self.process.stdin.fileno()
        os.set_blocking(fd, False)
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChannelError("worker did not take its request before the deadline (wedged)")
            _, ready, _ = select.select([], [fd], [], remaining)
            if not ready:
                continue
            try:
                view = view[os.write(fd, view[:1 << 20]):]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise ChannelError(f"worker channel closed on send: {exc}{self._stderr_tail()}") from exc

    def _read(self, deadline: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while True:
            if len(self._buffer) >= HEADER.size:
                (length,) = HEADER.unpack_from(self._buffer)
                if len(self._buffer) >= HEADER.size + length:
                    body = bytes(self._buffer[HEADER.size:HEADER.size + length])
                    del self._buffer[:HEADER.size + length]
                    try:
                        reply = json.loads(body)
                    except ValueError as exc:
                        raise ChannelError(f"worker sent a malformed frame: {exc}") from exc
                    if not isinstance(reply, dict):
                        raise ChannelError("worker sent a frame that is not an object")
                    return reply
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChannelError("worker did not answer before its deadline (wedged)")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    self.process.poll()
                    raise ChannelError(f"worker channel closed (exit {self.process.returncode}){self._stderr_tail()}")
                self._buffer += chunk

    def _stderr_tail(self) -> str:
        try:
            self._errors.seek(0)
            text = self._errors.read()[-2000:].decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""
        return f": {text}" if text else ""

    def close(self) -> None:
        """Close stdin (the worker exits on EOF), then make sure the subprocess is gone."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._errors.close()
