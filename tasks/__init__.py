"""rlvr.tasks: typed verifiable tasks, built-ins and suites."""
