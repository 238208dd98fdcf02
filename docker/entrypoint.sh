#!/bin/sh
# Applies pending migrations, then replaces this shell with the API so it receives SIGTERM directly.
set -eu
cd /app
node dist/apps/api/cli.js migrate
exec node dist/apps/api/main.js "$@"
