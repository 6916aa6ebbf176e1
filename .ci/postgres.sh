#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests.
#
#   bash .ci/postgres.sh start DIR   initdb a fresh cluster in DIR (anything
#                                    there before is stopped and removed),
#                                    start it on a free loopback port, create
#                                    the database exemplar_test, and print its
#                                    URL as the last line of output
#   bash .ci/postgres.sh stop DIR    stop that cluster and remove DIR
#
# Works as root (the server runs as the postgres user, which initdb requires)
# and as an ordinary user (the server runs as that user). Installs PostgreSQL
# with apt only when no initdb is found. The cluster trusts local connections
# and turns fsync off: it holds test data only and is thrown away.
set -euo pipefail

usage() { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case "$dir" in
  /*) ;;
  *) dir="$PWD/$dir" ;;
esac
[ "$dir" != "/" ] || { echo "postgres.sh: refusing DIR=/" >&2; exit 2; }

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# as_owner runs a command as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    # su -c takes one string: quote every word.
    local q
    q=$(printf '%q ' "$@")
    su postgres -s /bin/sh -c "$q"
  else
    "$@"
  fi
}

stop_cluster() {
  local bin
  if [ -f "$dir/data/PG_VERSION" ] && bin=$(find_bin); then
    if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
  fi
  rm -rf "$dir"
}

port_free() {
  # A connect that fails means nothing listens there.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_cluster() {
  local bin
  if ! bin=$(find_bin); then
    echo "postgres.sh: no initdb found; installing PostgreSQL with apt" >&2
    [ "$(id -u)" -eq 0 ] || { echo "postgres.sh: need root to install PostgreSQL" >&2; exit 1; }
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    bin=$(find_bin) || { echo "postgres.sh: initdb still missing after install" >&2; exit 1; }
  fi

  stop_cluster
  mkdir -p "$dir/sock"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$dir"
  fi

  local port=${EXEMPLAR_PG_PORT:-55432}
  local tries=0
  while ! port_free "$port"; do
    port=$((port + 1)); tries=$((tries + 1))
    [ $tries -lt 100 ] || { echo "postgres.sh: no free port from ${EXEMPLAR_PG_PORT:-55432}" >&2; exit 1; }
  done

  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

  local i
  for i in $(seq 1 60); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
    [ "$i" -lt 60 ] || { echo "postgres.sh: server not ready after 30 s" >&2; cat "$dir/server.log" >&2; exit 1; }
    sleep 0.5
  done
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres exemplar_test
  echo "$port" >"$dir/port"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running in $dir on 127.0.0.1:$port" >&2
  echo "postgres://postgres@127.0.0.1:$port/exemplar_test?sslmode=disable"
}

case "$cmd" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  *) usage ;;
esac
