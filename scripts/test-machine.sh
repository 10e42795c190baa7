#!/usr/bin/env bash
# The first step of `npm test`: makes sure this machine has what the tests run against — Debian
# packages (Chromium, poppler, qpdf, NSS, OpenSSL, Ghostscript, Python's pikepdf, asn1crypto and
# Pillow, SoftHSM2, PostgreSQL, Redis, curl, jq), a PostgreSQL answering on 127.0.0.1:5432 with a
# `test` database, and a Redis on 127.0.0.1:6379. As root, or with sudo that needs no password,
# it installs and starts them; otherwise it stops at once and prints the exact commands.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
  can_root=1
  as_root() { "$@"; }
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  can_root=1
  as_root() { sudo -n "$@"; }
else
  can_root=0
  as_root() { return 1; }
fi
todo=()
stop() {
  echo "npm test needs, first:" >&2
  for command in "${todo[@]}"; do echo "  $command" >&2; done
  echo "then run npm test again." >&2
  exit 1
}

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
# The quick-start examples are tested with curl, jq and Python's requests.
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
/usr/bin/python3 -c "import requests" 2>/dev/null || missing+=(python3-requests)
# The pages are tested end to end in Debian's Chromium (playwright cannot download one).
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
# Signed PDFs are checked with the tools anyone can run: poppler's pdfsig, qpdf, NSS, OpenSSL.
command -v pdfsig >/dev/null || missing+=(poppler-utils)
command -v qpdf >/dev/null || missing+=(qpdf)
command -v certutil >/dev/null || missing+=(libnss3-tools)
command -v openssl >/dev/null || missing+=(openssl)
command -v gs >/dev/null || missing+=(ghostscript)
# Signature structure (DocMDP, /Annots, CMS attributes) and the audit trail's PDF/A-3b and tagging
# (its ICC profile against LittleCMS's sRGB) are read independently with Debian's Python.
/usr/bin/python3 -c "import pikepdf, asn1crypto, PIL.ImageCms" 2>/dev/null ||
  missing+=(python3-pikepdf python3-asn1crypto python3-pil)
# A seal key in a PKCS#11 token is tested against SoftHSM2, a real token in software.
command -v softhsm2-util >/dev/null || missing+=(softhsm2)
# The deployment recipes are run: deploy/nginx.conf by nginx, deploy/certyneo.service checked.
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v systemd-analyze >/dev/null || missing+=(systemd)
# The PostgreSQL pass runs on Node 24, for which the native modules are built (scripts/node24.sh).
if [ "${CERTYNEO_TEST_NODE24:-1}" != 0 ]; then
  for tool in make g++ python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "The tests run on Debian (or Ubuntu): this machine has no apt-get. Install the equivalent of: ${missing[*]}" >&2
    exit 1
  fi
  if [ "$can_root" = 0 ]; then
    todo+=("sudo apt-get update && sudo apt-get install -y ${missing[*]}")
    # PostgreSQL and Redis are set up once installed: the next run says how, if needed.
    stop
  fi
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: trust authentication on 127.0.0.1 (a test machine) and a `test` database; unless
# CERTYNEO_TEST_POSTGRES_URL names another.
if [ -z "${CERTYNEO_TEST_POSTGRES_URL:-}" ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    if [ "$can_root" = 0 ]; then
      todo+=("sudo grep -q certyneo $hba || sudo sed -i '1i host all all 127.0.0.1/32 trust # certyneo-tests' $hba")
      todo+=("sudo pg_ctlcluster $version main start")
      stop
    fi
    if ! as_root grep -q "127.0.0.1/32 trust # certyneo" "$hba"; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust # certyneo-tests' "$hba"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1" >/dev/null 2>&1; then
    echo "PostgreSQL on 127.0.0.1:5432 refuses user postgres without a password. The tests use trust authentication there:" >&2
    echo "  sudo sed -i '1i host all all 127.0.0.1/32 trust # certyneo-tests' /etc/postgresql/*/main/pg_hba.conf && sudo pg_ctlcluster <version> main reload" >&2
    echo "or set CERTYNEO_TEST_POSTGRES_URL to a database the tests may create databases from." >&2
    exit 1
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -c "create database test" >/dev/null
fi

# Redis backs the shared rate-limit store's tests (any user may start one); unless
# CERTYNEO_TEST_REDIS_URL names another.
if [ -z "${CERTYNEO_TEST_REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/certyneo-tests-redis.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi

# npm ci compiles better-sqlite3 when it cannot download it (about 90 s): the next one on this
# machine unpacks this checkout's build instead.
node scripts/keep-sqlite-build.mjs
