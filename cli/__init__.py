"""rlvr.cli: the ``rlvr`` command line, at the top of the dependency order.

One module per command group (verify, sandbox, tasks, eval, train, plot), each with
a ``register(app)``; ``main`` starts without torch (see ``rlvr.cli.main``).
"""
