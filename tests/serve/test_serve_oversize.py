"""One row too large to send (outside red team round 8, #9), against a local uvicorn server.

On 5776bf6 a single row over the server's body cap got a 413 that `RemoteVerifierPool` raised as
RemoteVerifierError: the batch's other rows were never scored. A lone surrogate anywhere in the
batch also made the whole body ASCII JSON (12 bytes an emoji), so a row could pass the cap that way.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from rlvr.serve.app import ServeConfig, create_app
from rlvr.verifiers import Status
from rlvr.verifiers.remote import RemoteVerifierError, RemoteVerifierPool

pytestmark = pytest.mark.slow
CAP = 64 << 10


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ServeConfig(workers=1, max_body_bytes=CAP)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=60)


def test_the_server_names_its_body_cap_in_a_413(url: str) -> None:
    reply = httpx.post(f"{url}/v1/verify", content=b'{"completions": ["' + b"x" * CAP + b'"]}',
                       headers={"content-type": "application/json"})
    assert reply.status_code == 413 and reply.json()["max_body_bytes"] == CAP


@pytest.mark.parametrize("big", ["x" * CAP, "\ud800" + "\U0001F600" * (CAP // 5)],
                         ids=["long", "emoji_after_a_lone_surrogate"])
def test_a_row_too_large_to_send_is_its_own_parse_error_and_the_others_are_scored(url: str, big: str) -> None:
    with RemoteVerifierPool(url, attempts=2) as pool:
        for _ in range(2):  # the first learns the cap from the server's 413, the second checks it here
            scores = pool.verify(["so \\boxed{1}", big, "so \\boxed{3}", "so \\boxed{5}"], ["1", "2", "3", "4"],
                                 task="arithmetic")
            if "\ud800" in big:  # 52 KB of UTF-8 (was 157 KB of ASCII JSON): fits, and is scored
                assert scores[1].value == 0.0 and scores[1].details["math"]["status"] == "no_answer", scores[1]
            else:  # was: RemoteVerifierError, every row lost
                assert scores[1].status is Status.PARSE_ERROR and scores[1].value == 0.0, scores[1]
                assert "body cap" in scores[1].details["reason"], scores[1]
            assert [(s.status, s.value) for i, s in enumerate(scores) if i != 1] == [(Status.OK, 1.0),
                                                                                   (Status.OK, 1.0),
                                                                                   (Status.OK, 0.0)]
        assert pool.rows_per_request == 512  # one large row does not cut every later batch to one row
    assert (pool.max_body_bytes == CAP) == ("\ud800" not in big)


def test_a_reference_alone_over_the_cap_is_a_set_up_error(url: str) -> None:
    with RemoteVerifierPool(url, attempts=1, max_body_bytes=CAP) as pool, pytest.raises(RemoteVerifierError,
                                                                                          match="reference"):
        pool.verify(["so \\boxed{1}"], ["1" * CAP], task="arithmetic")

