#!/usr/bin/env bash
# Usage: ./deploy_monitor.sh HOST --ssh-key PATH [--with FILE]… [--dry-run]
exec "$(dirname "$0")/cli.sh" deploy-monitor "$@"
