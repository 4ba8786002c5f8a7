#!/usr/bin/env bash
# Usage: ./clusterize_confiles.sh DIR COUNT --hostlist FILE [--keypairs FILE] [--monitor-host HOST]
exec "$(dirname "$0")/cli.sh" clusterize-confiles "$@"
