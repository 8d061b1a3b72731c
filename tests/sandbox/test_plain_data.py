"""The plain-data codec between the assert driver and the candidate's process."""

from __future__ import annotations

import json
import math

import pytest

from rlvr.sandbox.plain_data import PlainDataError, decode, encode


@pytest.mark.parametrize("value", [
    None, True, 0, -(10**40), "héllo", b"\x00\xff", 1.5, -0.0, float("inf"), complex(1, -2),
    [1, (2, 3)], (), {1, "a"}, frozenset({(1, 2)}), {1: "a", (2, 3): [4.25], "k": {"nested": None}},
])
def test_round_trip_keeps_values_and_exact_types(value) -> None:
    back = decode(json.loads(json.dumps(encode(value))))  # through JSON, as over the pipe
    assert back == value and type(back) is type(value)
    if isinstance(value, tuple | list):
        assert [type(x) for x in back] == [type(x) for x in value]


def test_nan_round_trips_and_bool_stays_bool() -> None:
    assert math.isnan(decode(encode(float("nan"))))
    assert decode(encode([True, 1])) == [True, 1] and type(decode(encode([True, 1]))[0]) is bool


class RiggedInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize("value", [RiggedInt(3), [RiggedInt(3)], {"k": object()}, lambda: 1, range(3),
                                   iter([1]), type("L", (list,), {})()])
def test_anything_else_is_refused(value) -> None:
    with pytest.raises(PlainDataError):
        encode(value)


@pytest.mark.parametrize("tree", [{"x": 1}, {"f": 1.5, "l": []}, [1], {"s": [{"l": []}]}, {"b": "zz"}])
def test_malformed_encodings_are_refused(tree) -> None:
    with pytest.raises(PlainDataError):
        decode(tree)


def test_depth_is_bounded() -> None:
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(PlainDataError):
        encode(deep)
