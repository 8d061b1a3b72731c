"""Clear errors for optional dependencies that are not installed."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtraError(ImportError):
    pass


def require(module: str, extra: str = "train") -> ModuleType:
    """Import ``module`` or raise an error that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module!r} is not installed: this command needs the {extra!r} extra. "
            f"Install it with: pip install 'rlvr[{extra}]'"
            + (" (install torch first: pip install torch)" if module == "torch" else "")
        ) from exc
