"""rlvr.evals: one evaluation path for models and for completions made elsewhere.

Sits above ``rlvr.tasks`` and below ``rlvr.trainer``: ``rlvr eval`` and the trainer's
held-out accuracy both call ``evaluate_task``, so a number logged during training is
the number ``rlvr eval`` gives for that checkpoint.

- ``generation``: the ``Generator`` seam (``SamplingParams``, ``Completion``, ``FunctionGenerator``)
- ``transformers_generator``: ``TransformersGenerator`` for a local model (the only module that imports torch)
- ``evaluate``: ``evaluate_task``, ``score_rows``, ``default_sampling``
- ``completions``: JSONL completions made elsewhere; ``results``: lm-eval-shaped result files
"""

from .completions import read_completion_lines, read_completions
from .evaluate import TaskResult, default_sampling, evaluate_task, report_ks, score_rows
from .generation import Completion, FunctionGenerator, Generator, Messages, SamplingParams
from .results import write_results

__all__ = [
    "Completion", "FunctionGenerator", "Generator", "Messages", "SamplingParams", "TaskResult",
    "default_sampling", "evaluate_task", "read_completion_lines", "read_completions", "report_ks",
    "score_rows", "write_results",
]
