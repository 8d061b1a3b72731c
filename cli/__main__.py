"""``python -m rlvr.cli``: the ``rlvr`` command (``torchrun ... -m rlvr.cli train`` uses it)."""

from .main import main

main()
