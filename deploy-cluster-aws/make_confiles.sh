#!/usr/bin/env bash
# Usage: ./make_confiles.sh DIR COUNT   e.g. ./make_confiles.sh confiles 3
exec "$(dirname "$0")/cli.sh" make-confiles "$@"
