#!/usr/bin/env bash
# Usage: ./awsdeploy.sh DEPLOY_CONF_FILE [--dry-run] [--tag TAG] [--monitor-host HOST] … (see --help)
exec "$(dirname "$0")/cli.sh" deploy "$@"
