"""The candidate's process in an assert-style harness job (started by `harness_driver`).

Runs as the job's uid with the job's limits. Loads ``solution.py``, reports
which of the names the tests want (``argv[3]``, a JSON list) it defines: the
callable ones by name, the plain-data ones by value. Then answers calls, one
JSON line each way: the return value as plain data, or the name of the
exception raised. Standard library only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from typing import Any

from plain_data import PlainDataError, decode, encode

sys.path.remove(os.path.dirname(os.path.abspath(__file__)))  # the candidate imports only the standard library
requests, answers = os.fdopen(int(sys.argv[1]), "rb"), os.fdopen(int(sys.argv[2]), "wb")
wanted = json.loads(sys.argv[3])


def send(message: dict[str, Any]) -> None:
    answers.write(json.dumps(message).encode() + b"\n")
    answers.flush()


namespace: dict[str, Any] = {"__name__": "__candidate__"}
try:
    with open("solution.py", encoding="utf-8") as f:
        source = f.read()
    exec(compile(source, "solution.py", "exec"), namespace)
except BaseException as e:
    send({"error": "".join(traceback.format_exception_only(type(e), e))[-500:]})
    sys.exit(0)
callables, values = [], {}
for name in wanted:
    if name not in namespace:
        continue
    value = namespace[name]
    if callable(value):
        callables.append(name)
        continue
    with contextlib.suppress(PlainDataError, RecursionError, ValueError):  # not plain data: the tests cannot see it
        values[name] = encode(value)
send({"callables": callables, "values": values})
for line in requests:
    try:
        request = json.loads(line)
        value = namespace[request["call"]](*decode(request["args"]), **decode(request["kwargs"]))
    except BaseException as e:
        send({"raised": type(e).__name__, "message": str(e)[:500]})
        continue
    try:
        send({"value": encode(value)})
    except (PlainDataError, RecursionError, ValueError) as e:
        send({"bad": f"returned {e}"})
