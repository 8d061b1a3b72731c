#!/usr/bin/env bash
# mypy on every package pyproject.toml lists in [tool.setuptools] packages.
#
# Why not `mypy verifiers/`: the folders install as rlvr.* through setuptools'
# package-dir mapping, and an editable install exposes that mapping only through
# an import hook that type checkers cannot see. So we lay the packages out as a
# regular install would (folder F of package rlvr.X copied to rlvr/X, read from
# the same package-dir mapping) in .mypy_cache/rlvr-site and check that copy. The
# package list is read from pyproject.toml, never typed here, so a new root
# package (rlvr.cli, ...) is checked as soon as pyproject.toml lists it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
if [[ "$PY" == */* ]]; then  # a relative path must survive the cd below (keep the venv's symlink)
    PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
fi
# A fixed place (git ignores .mypy_cache/) with the files' own mtimes, so mypy's cache works across runs.
SITE="$ROOT/.mypy_cache/rlvr-site"
rm -rf "$SITE"
mapfile -t PACKAGES < <("$PY" - "$ROOT" "$SITE" <<'EOF'
import shutil
import sys
import tomllib
from pathlib import Path

root, site = Path(sys.argv[1]), Path(sys.argv[2])
setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
package_dir = setuptools.get("package-dir", {})
for package in setuptools["packages"]:
    folder = root / package_dir.get(package, package.replace(".", "/"))
    if not folder.is_dir():
        sys.exit(f"typecheck: {package} maps to {folder}, which is not a folder")
    shutil.copytree(folder, site / package.replace(".", "/"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    print(package)
EOF
)
if [ "${#PACKAGES[@]}" -eq 0 ]; then
    echo "typecheck: no packages listed in pyproject.toml" >&2
    exit 1
fi
ARGS=()
for package in "${PACKAGES[@]}"; do
    ARGS+=(-p "$package")
done
echo "typecheck: ${PACKAGES[*]}"
cd "$SITE"
"$PY" -m mypy --config-file "$ROOT/pyproject.toml" --cache-dir "$ROOT/.mypy_cache" "${ARGS[@]}"
