#!/bin/sh
# Run by the postgres image once, when it initialises an empty volume (/docker-entrypoint-initdb.d), as the
# superuser: the two roles of docs/operations.md ("Database roles"). consortium_owner owns the database and
# runs the migrations; consortium_app is the API's, and gets its grants from each migration. Neither is a
# superuser. To change a password later, see "Rotating the database passwords" there.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$DATABASE_OWNER_PASSWORD" -v app_password="$DATABASE_APP_PASSWORD" <<'SQL'
CREATE ROLE consortium_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE consortium_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
ALTER DATABASE :"DBNAME" OWNER TO consortium_owner;
SQL
