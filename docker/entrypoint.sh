#!/bin/sh
# Replaces this shell with the API, so it receives SIGTERM directly. main.ts migrates first when it is given
# MIGRATION_DATABASE_URL (the owner role); without it, it only checks that the schema is current.
set -eu
cd /app
exec node dist/apps/api/main.js "$@"
