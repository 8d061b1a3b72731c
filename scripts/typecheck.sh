#!/usr/bin/env bash
# mypy on rlvr.verifiers and rlvr.sandbox.
#
# Why not `mypy verifiers/`: the folders install as rlvr.* through setuptools'
# package-dir mapping, and an editable install exposes that mapping only through
# an import hook that type checkers cannot see. So we install a regular
# (non-editable) copy into a scratch folder, where rlvr/verifiers/... exists on
# disk as a real namespace package, and check that copy.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
"$PY" -m pip install --quiet --no-deps --no-build-isolation --target "$SCRATCH/site" "$ROOT" >/dev/null
cd "$SCRATCH/site"
"$PY" -m mypy --config-file "$ROOT/pyproject.toml" -p rlvr.verifiers -p rlvr.sandbox
