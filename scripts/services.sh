#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers for the test suite. Meant to be sourced:
#
#   source scripts/services.sh
#   trap stop_services EXIT
#   start_postgres   # exports TEST_POSTGRES_URL, PG_BIN_DIR
#   start_redis      # exports TEST_REDIS_URL, REDIS_SERVER_BIN
#
# Both listen on a free port on 127.0.0.1 only, keep nothing on disk after
# stop_services, and never touch a system-wide cluster/server.

# Strict mode only for scripts: `set -e` in an interactive shell would close the
# terminal on the first failing command. The functions check errors themselves.
[[ $- == *i* ]] || set -euo pipefail

_SVC_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_SVC_RUN="$_SVC_REPO/.run"
_SVC_APT_UPDATED=${_SVC_APT_UPDATED:-}
# State for stop_services (empty = nothing to stop).
_SVC_PG_DATA=${_SVC_PG_DATA:-}
_SVC_PG_SOCK=${_SVC_PG_SOCK:-}
_SVC_PG_CTL=${_SVC_PG_CTL:-}
_SVC_REDIS_PIDFILE=${_SVC_REDIS_PIDFILE:-}
_SVC_REDIS_LOG=${_SVC_REDIS_LOG:-}

_svc_log() { echo "services: $*" >&2; }

# Ask the kernel for a free port (bind to port 0). Tiny race with the real
# server binding it later; the start functions retry with a new port.
_svc_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# apt-get install, running `apt-get update` at most once per shell.
_svc_apt_install() {
    local sudo=()
    if ! command -v apt-get >/dev/null 2>&1; then
        _svc_log "apt-get not found: install $* yourself"
        return 1
    fi
    if [[ $EUID -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            _svc_log "root needed to apt-get install $*: install it yourself"
            return 1
        fi
    fi
    _svc_log "installing $* with apt-get"
    if [[ -z $_SVC_APT_UPDATED ]]; then
        "${sudo[@]}" apt-get update -qq || return 1
        _SVC_APT_UPDATED=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null || return 1
}

# PostgreSQL refuses to run as root: run its tools as `postgres` when we are root.
# cd / so the postgres user never needs access to the caller's cwd.
_svc_as_pg() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

_svc_pg_bindir_ok() { [[ -n ${1:-} && -x $1/initdb && -x $1/pg_ctl && -x $1/postgres ]]; }

# Server binaries: PATH (resolving symlinks), pg_config, or Debian's layout
# (/usr/lib/postgresql/<ver>/bin is not on PATH when installed with apt).
_svc_find_pg_bindir() {
    local d
    if _svc_pg_bindir_ok "${PG_BIN_DIR:-}"; then
        echo "$PG_BIN_DIR"
        return 0
    fi
    if d=$(command -v initdb 2>/dev/null); then
        d=$(dirname "$(readlink -f "$d")")
        if _svc_pg_bindir_ok "$d"; then echo "$d"; return 0; fi
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if _svc_pg_bindir_ok "$d"; then echo "$d"; return 0; fi
    fi
    # Unmatched glob stays literal and fails the check below.
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    if _svc_pg_bindir_ok "$d"; then echo "$d"; return 0; fi
    return 1
}

start_postgres() {
    local bindir datadir sockdir port out createdb_bin attempt ctype started=""
    if [[ -n $_SVC_PG_DATA ]]; then
        _svc_log "postgres already started ($TEST_POSTGRES_URL)"
        return 0
    fi
    if ! bindir=$(_svc_find_pg_bindir); then
        _svc_apt_install postgresql || return 1
        bindir=$(_svc_find_pg_bindir) || { _svc_log "no PostgreSQL server binaries found"; return 1; }
    fi

    if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        if getent group postgres >/dev/null; then
            useradd --system --gid postgres --no-create-home --shell /bin/sh postgres || return 1
        else
            useradd --system --user-group --no-create-home --shell /bin/sh postgres || return 1
        fi
    fi

    mkdir -p "$_SVC_RUN" || return 1
    datadir=$(mktemp -d "$_SVC_RUN/pg-XXXXXX") || return 1
    _SVC_PG_DATA=$datadir
    _SVC_PG_CTL=$bindir/pg_ctl
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$datadir" || return 1
        # The repo may sit where `postgres` cannot reach (e.g. under /root):
        # then keep the cluster in /tmp instead.
        if ! _svc_as_pg test -w "$datadir"; then
            rm -rf "$datadir"
            datadir=$(mktemp -d /tmp/hub-pg-XXXXXX) || return 1
            _SVC_PG_DATA=$datadir
            chown postgres: "$datadir" || return 1
        fi
    fi
    # Unix sockets are limited to ~107-byte paths: keep them in a short /tmp dir.
    sockdir=$(mktemp -d /tmp/hub-pgsock-XXXXXX) || return 1
    _SVC_PG_SOCK=$sockdir
    if [[ $EUID -eq 0 ]]; then chown postgres: "$sockdir" || return 1; fi

    # Trust auth + no fsync: a disposable cluster that only lives for this run.
    # Collation C, but a UTF-8 character classification: under LC_CTYPE=C, pg_trgm (the
    # duplicate suggestions) sees no Cyrillic letters. Production needs the same.
    ctype=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then ctype=C.UTF-8; fi
    if ! out=$(_svc_as_pg "$bindir/initdb" -D "$datadir" -A trust -U hub \
        --encoding=UTF8 --locale=C --lc-ctype="$ctype" --no-sync 2>&1); then
        echo "$out" >&2
        _svc_log "initdb failed"
        return 1
    fi

    for attempt in 1 2 3; do
        port=$(_svc_free_port) || return 1
        if _svc_as_pg "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 -s \
            -o "-p $port -k $sockdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c track_commit_timestamp=on" \
            start >/dev/null; then
            started=1
            break
        fi
        _svc_log "postgres did not start on port $port (attempt $attempt)"
        tail -n 20 "$datadir/server.log" >&2 2>/dev/null || true
        _svc_as_pg "$bindir/pg_ctl" -D "$datadir" -m immediate -s stop >/dev/null 2>&1 || true
    done
    [[ -n $started ]] || return 1

    createdb_bin=$bindir/createdb
    [[ -x $createdb_bin ]] || createdb_bin=$(command -v createdb) || {
        _svc_log "createdb not found"
        return 1
    }
    "$createdb_bin" -h 127.0.0.1 -p "$port" -U hub hub_test || return 1

    export PG_BIN_DIR=$bindir
    export TEST_POSTGRES_URL="postgres://hub@127.0.0.1:$port/hub_test"
    _svc_log "postgres ready: $TEST_POSTGRES_URL"
}

# Does a Redis server answer PING on 127.0.0.1:$1? (inline RESP, no redis-cli needed)
_svc_redis_ping() {
    if command -v redis-cli >/dev/null 2>&1; then
        [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
    else
        python3 -c 'import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(64).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)' "$1"
    fi
}

_svc_stop_redis() {
    local pid i
    if [[ -n $_SVC_REDIS_PIDFILE && -f $_SVC_REDIS_PIDFILE ]]; then
        pid=$(<"$_SVC_REDIS_PIDFILE")
        if [[ $pid =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null; then
            for i in {1..50}; do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "${_SVC_REDIS_PIDFILE:-}" "${_SVC_REDIS_LOG:-}"
    _SVC_REDIS_PIDFILE=""
    _SVC_REDIS_LOG=""
}

start_redis() {
    local bin port attempt i pid
    if [[ -n $_SVC_REDIS_PIDFILE ]]; then
        _svc_log "redis already started ($TEST_REDIS_URL)"
        return 0
    fi
    if [[ -x ${REDIS_SERVER_BIN:-} ]]; then
        bin=$REDIS_SERVER_BIN
    elif ! bin=$(command -v redis-server); then
        _svc_apt_install redis-server || return 1
        bin=$(command -v redis-server || echo /usr/bin/redis-server)
        [[ -x $bin ]] || { _svc_log "redis-server not found after install"; return 1; }
    fi
    mkdir -p "$_SVC_RUN" || return 1

    for attempt in 1 2 3; do
        port=$(_svc_free_port) || return 1
        _SVC_REDIS_PIDFILE=$_SVC_RUN/redis-$port.pid
        _SVC_REDIS_LOG=$_SVC_RUN/redis-$port.log
        # No persistence at all: nothing to clean up but the pid/log files.
        if "$bin" --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
            --daemonize yes --pidfile "$_SVC_REDIS_PIDFILE" --logfile "$_SVC_REDIS_LOG" \
            --dir "$_SVC_RUN"; then
            for i in {1..100}; do
                if _svc_redis_ping "$port"; then
                    export REDIS_SERVER_BIN=$bin
                    export TEST_REDIS_URL="redis://127.0.0.1:$port/0"
                    _svc_log "redis ready: $TEST_REDIS_URL"
                    return 0
                fi
                # Daemon already gone (e.g. port taken): don't wait the full 10 s.
                if [[ -f $_SVC_REDIS_PIDFILE ]]; then
                    pid=$(<"$_SVC_REDIS_PIDFILE")
                    kill -0 "$pid" 2>/dev/null || break
                fi
                sleep 0.1
            done
        fi
        _svc_log "redis did not start on port $port (attempt $attempt)"
        tail -n 20 "$_SVC_REDIS_LOG" >&2 2>/dev/null || true
        _svc_stop_redis
    done
    return 1
}

# Stop whatever was started and delete the throwaway data. Never fails, so it
# is safe in an EXIT trap, when called twice, or when nothing was started.
stop_services() {
    if [[ -n $_SVC_PG_DATA ]]; then
        if [[ -f $_SVC_PG_DATA/postmaster.pid && -n $_SVC_PG_CTL ]]; then
            _svc_as_pg "$_SVC_PG_CTL" -D "$_SVC_PG_DATA" -m immediate -s stop >/dev/null 2>&1 || true
        fi
        rm -rf "$_SVC_PG_DATA" || true
        _SVC_PG_DATA=""
    fi
    if [[ -n $_SVC_PG_SOCK ]]; then
        rm -rf "$_SVC_PG_SOCK" || true
        _SVC_PG_SOCK=""
    fi
    _svc_stop_redis || true
    return 0
}
