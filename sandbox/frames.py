"""The worker's wire format: a 4-byte big-endian length, then UTF-8 JSON.

Shared by the host end (`channel`) and the worker, which imports it as a sibling
script inside the container: standard library only, no imports from this folder.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

HEADER = struct.Struct(">I")
MAX_REQUEST_BYTES = 64 << 20


def read_exact(fd: int, n: int) -> bytes | None:
    """``n`` bytes from ``fd``; None at end of file."""
    chunks: list[bytes] = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, message: dict[str, Any]) -> None:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = HEADER.pack(len(body)) + body
    while data:
        data = data[os.write(fd, data):]
