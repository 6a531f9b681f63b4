#!/bin/sh
# Services for the OMOP integration tests (tests/omop): PostgreSQL and Java for PySpark.
# Call from .ci/run before the test run, as root:   . .ci/services.sh
# It exports the variables the tests read; with CI=true a missing service makes them FAIL.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql default-jre-headless >/dev/null
# Start the packaged cluster (Debian creates one named "main" for the installed version).
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q " main " || pg_createcluster "$PGVER" main
pg_ctlcluster "$PGVER" main start || service postgresql start
# A role and a database for the tests (idempotent).
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='onco'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE onco LOGIN PASSWORD 'onco'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='omop_test'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE DATABASE omop_test OWNER onco\""
export ONCOCOHORT_TEST_POSTGRES_URL="postgres://onco:onco@127.0.0.1:5432/omop_test"
export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
export ONCOCOHORT_TEST_SPARK=1
set +e
