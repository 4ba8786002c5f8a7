#!/usr/bin/env bash
# Usage: ./release_eips.sh [--tag TAG] [--dry-run]   (no tag: every address not associated with an instance)
exec "$(dirname "$0")/cli.sh" release-eips "$@"
