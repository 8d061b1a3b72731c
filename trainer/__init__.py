"""rlvr.trainer: the GRPO trainer, model loading, evaluation and the ``rlvr`` CLI.

Importing this package does not import torch; the modules that need it do.
"""
