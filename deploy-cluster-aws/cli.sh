#!/usr/bin/env bash
# Runs the deployer compiled from this checkout; the other scripts here call it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$here/../dist/deploy-cluster-aws/cli.js"
if [ ! -f "$cli" ]; then
  echo "awsdeploy: $cli is missing: run \"npm ci\" (or \"npm run build\") at the top of the repository first" >&2
  exit 1
fi
exec node "$cli" "$@"
