#!/usr/bin/env bash
# Usage: ./terminate.sh --tag TAG [--dry-run]
exec "$(dirname "$0")/cli.sh" terminate "$@"
