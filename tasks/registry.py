"""Tasks by name: built-in YAML files, tasks registered in Python, plug-ins, reasoning-gym.

``get_task(name, **overrides)`` looks ``name`` up in this order:

1. tasks registered in this process (``register_task``);
2. the built-in YAML files shipped next to this module (``arithmetic.yaml`` ...);
3. ``reasoning_gym:<dataset>``: any reasoning-gym dataset (see ``reasoning_gym_task``);
4. a path to a task YAML file (``my_tasks/sums.yaml``), so configs and the CLI take files too;
5. plug-ins: the ``rlvr.tasks`` entry-point group, each pointing at a ``Task`` or a
   zero-argument callable returning one::

       [project.entry-points."rlvr.tasks"]
       my_task = "my_pkg.tasks:my_task"

``overrides`` are merged into the definition before validation, so
``get_task("arithmetic", source={"params": {"digits": 3}})`` changes one knob.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from rlvr.verifiers._user_input import unknown_name

from .task import Task

ENTRY_POINT_GROUP = "rlvr.tasks"
BUILTIN_DIR = Path(__file__).parent
REASONING_GYM_PREFIX = "reasoning_gym:"

_REGISTERED: dict[str, Task | Callable[[], Task]] = {}


class UnknownTaskError(LookupError):
    """No task has that name; the message lists the nearest names."""


def _builtin_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BUILTIN_DIR.glob("*.yaml")) if p.stem != "suites"}


def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def register_task(task: Task | Callable[[], Task], *, name: str | None = None) -> None:
    """Make ``task`` (or a factory for it) available to ``get_task``."""
    key = name or (task.name if isinstance(task, Task) else getattr(task, "__name__", ""))
    if not key:
        raise ValueError("give a name for a task factory")
    if key in _REGISTERED or key in _builtin_files():
        raise ValueError(f"task name {key!r} is already taken")
    _REGISTERED[key] = task


def available_tasks() -> list[str]:
    """Every task name ``get_task`` knows, except the open-ended ``reasoning_gym:<dataset>`` family."""
    return sorted({*_REGISTERED, *_builtin_files(), *_plugins()})


def get_task(name: str, /, **overrides: Any) -> Task:
    task = _lookup(name)
    return task.with_overrides(**overrides) if overrides else task


def _lookup(name: str) -> Task:
    if name in _REGISTERED:
        found = _REGISTERED[name]
        return found if isinstance(found, Task) else found()
    builtins = _builtin_files()
    if name in builtins:
        return Task.from_yaml(builtins[name])
    if name.startswith(REASONING_GYM_PREFIX):
        from .reasoning_gym_task import reasoning_gym_task

        return reasoning_gym_task(name[len(REASONING_GYM_PREFIX):])
    if name.endswith((".yaml", ".yml")) and Path(name).expanduser().is_file():
        return Task.from_yaml(Path(name).expanduser())
    plugins = _plugins()
    if name in plugins:
        loaded = plugins[name].load()
        task = loaded if isinstance(loaded, Task) else loaded()
        if not isinstance(task, Task):
            raise TypeError(f"entry point {name!r} gave {type(task).__name__}, not a Task")
        return task
    raise UnknownTaskError(unknown_name("task", name, available_tasks(),
                                        more=f", and {REASONING_GYM_PREFIX}<dataset> for any reasoning-gym dataset"))
