#!/usr/bin/env bash
# Usage: ./write_keypairs_file.sh COUNT [--file keypairs.json]
exec "$(dirname "$0")/cli.sh" write-keypairs-file "$@"
