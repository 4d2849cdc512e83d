#!/usr/bin/env bash
# Usage: build-fresh.sh STAMP PATH...
# Exits 0 when STAMP exists and no PATH (files or directories, searched
# recursively) changed after it: the last build is still current. A deleted
# source changes its directory's mtime, so deletions count as changes too.
set -euo pipefail
stamp=$1
shift
[ -f "$stamp" ] || exit 1
changed=$(find "$@" -newer "$stamp" -print -quit 2>/dev/null || true)
[ -z "$changed" ]
