#!/usr/bin/env bash
# Makes sure the machine's PostgreSQL (Debian's, no pgvector package for 15 on bookworm)
# has the pgvector extension, built from Debian's own source package (trixie deb-src).
# Idempotent: does nothing when the extension is already installed.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)}"
PG_MAJOR="${PG_MAJOR:-15}"
EXT_DIR="/usr/share/postgresql/${PG_MAJOR}/extension"

if [ -f "${EXT_DIR}/vector.control" ]; then
  echo "pgvector: already installed for PostgreSQL ${PG_MAJOR}"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

SRC_LIST=/etc/apt/sources.list.d/atrium-trixie-src.sources
if [ ! -f "$SRC_LIST" ]; then
  $SUDO tee "$SRC_LIST" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq -o Acquire::Retries=3
$SUDO apt-get install -y -qq "postgresql-server-dev-${PG_MAJOR}" make gcc dpkg-dev >/dev/null

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get source -qq --download-only pgvector >/dev/null 2>&1 || apt-get source --download-only pgvector
dpkg-source -x --no-check pgvector_*.dsc src >/dev/null
cd src
make -s PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config" OPTFLAGS="" >/dev/null
$SUDO make -s PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config" install >/dev/null
echo "pgvector: installed $(grep default_version "${EXT_DIR}/vector.control")"
