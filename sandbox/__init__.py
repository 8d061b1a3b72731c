"""rlvr.sandbox: run untrusted code under hard limits."""
