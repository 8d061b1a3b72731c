"""rlvr.evals: one evaluation path for models and for completions made elsewhere.

Sits above ``rlvr.tasks`` and below ``rlvr.trainer``: ``rlvr eval`` and the trainer's
held-out accuracy both call ``evaluate_task``, so a number logged during training is
the number ``rlvr eval`` gives for that checkpoint.

- ``generation``: the ``Generator`` seam (``SamplingParams``, ``Completion``, ``FunctionGenerator``)
- ``transformers_generator``: ``TransformersGenerator`` for a local model (the only module that imports torch)
- ``evaluate``: ``evaluate_task``, ``score_rows``, ``default_sampling``
- ``completions``: JSONL completions made elsewhere; ``results``: lm-eval-shaped result files

Import from the modules: the package imports nothing, so ``rlvr verify`` (which reads
completions files) loads neither the tasks nor torch.
"""
