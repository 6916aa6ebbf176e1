#!/usr/bin/env bash
# bench/web.sh — the web application's speed figures of issue 4 item 8,
# each beside its baseline measured in the same run (see bench/README.md,
# "Web"), with wrk on loopback.
#
#   bash bench/web.sh                    # SQLite, then two servers on a throwaway PostgreSQL
#   POSTGRES=no bash bench/web.sh        # SQLite only
#   DURATION=10 RUNS=3 THREADS=2 CONNECTIONS=32 N_CYCLE=10000 bash bench/web.sh
#   LATENCY_CONNECTIONS=2 RESULTS_DURATION=20 bash bench/web.sh
#
# 1. The public announcement page with its view counting: requests per
#    second of `exemplar serve` (SQLite) beside nginx serving the same page
#    saved as a static file; then the view count stored after a graceful
#    stop must equal the 200 responses wrk received.
# 2. The public results page of a 10,000-enterprise cycle (and a sorted,
#    filtered deep page, and a search): p50 and p99 latency, beside the
#    store's query for the same page alone.
# 3. The announcement benchmark on two `exemplar serve` processes sharing
#    one PostgreSQL, and the same view-count check across both.
#
# Installs wrk and nginx with apt-get when they are missing. Exits non-zero
# only when something fails to run or a view count differs from the
# requests that succeeded; a missed aim is reported, not an error.
set -euo pipefail

cd "$(dirname "$0")/.."
export GOFLAGS=-mod=mod
DURATION=${DURATION:-10}        # seconds of load in each measured wrk run
RUNS=${RUNS:-3}                 # measured runs of each announcement figure (median)
THREADS=${THREADS:-2}           # wrk threads (the machine has $(nproc) cores)
CONNECTIONS=${CONNECTIONS:-32}  # wrk connections, in all
LATENCY_CONNECTIONS=${LATENCY_CONNECTIONS:-2} # results pages: one client per core
N_CYCLE=${N_CYCLE:-10000}
RESULTS_DURATION=${RESULTS_DURATION:-20} # seconds of each results-page run (a few hundred requests)
ht=$((THREADS > 1 ? THREADS / 2 : 1)) # wrk threads of each of the two PostgreSQL runs

# --- tools ------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	echo "== ${missing[*]} not found: installing with apt-get" >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "web.sh: installing ${missing[*]} needs root (apt-get install -y ${missing[*]})" >&2
		exit 1
	fi
	apt-get install -y "${missing[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

out=$(mktemp -d "${TMPDIR:-/tmp}/exemplar-web-XXXXXX")
chmod 755 "$out" # nginx's workers read its www folder
pgdir=""
servers=() # pids of exemplar serve still running
cleanup() {
	local p
	for p in "${servers[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${servers[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -f "$out/nginx/nginx.pid" ]; then
		kill -QUIT "$(cat "$out/nginx/nginx.pid")" 2>/dev/null || true
		sleep 0.5
	fi
	if [ -n "$pgdir" ]; then bash .ci/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; fi
	rm -rf "$out"
}
trap cleanup EXIT

# free_port: a loopback port nothing listens on.
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "web.sh: no free port found" >&2
	return 1
}

# wait_up URL: wait until URL answers (30 s at most).
wait_up() {
	for _ in $(seq 300); do
		if curl -fs -o /dev/null "$1"; then return 0; fi
		sleep 0.1
	done
	echo "web.sh: $1 did not come up" >&2
	return 1
}

echo "== building exemplar and bench/cmd/webbench" >&2
go build -o "$out/exemplar" ./cmd/exemplar
go build -o "$out/webbench" ./bench/cmd/webbench

# start_server NAME DATABASE: starts `exemplar serve` on a free port in the
# background; sets $port and appends its pid to servers.
start_server() {
	port=$(free_port)
	"$out/exemplar" serve --addr "127.0.0.1:$port" --database "$2" >"$out/serve-$1.out" 2>"$out/serve-$1.log" &
	servers+=($!)
	eval "pid_$1=$!"
	wait_up "http://127.0.0.1:$port/healthz"
}

# stop_server NAME: SIGINT, as Ctrl-C: requests in flight finish and the
# counted views are written. Fails if the server does not exit cleanly.
stop_server() {
	local p rc=0
	p=$(eval "echo \$pid_$1")
	kill -INT "$p"
	wait "$p" || rc=$?
	local keep=()
	for s in "${servers[@]}"; do [ "$s" = "$p" ] || keep+=("$s"); done
	servers=("${keep[@]+"${keep[@]}"}")
	if [ "$rc" -ne 0 ]; then
		echo "web.sh: exemplar serve ($1) exited with status $rc; its log:" >&2
		tail -n 20 "$out/serve-$1.log" >&2
		return 1
	fi
}

# The wrk script of the announcement runs: each connection sends requests
# for WINDOW seconds, then sends no more, so that every request sent has
# its answer read before wrk ends (wrk stops at -d with requests in flight,
# which the server may have counted). It counts the 200 responses and the
# others, and prints them with the rate over the window.
cat >"$out/count.lua" <<'EOF'
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } webbench_timespec;
int clock_gettime(int clk, webbench_timespec *tp);
]]
local ts = ffi.new("webbench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  window = tonumber(args[1])
  req = wrk.format("GET", args[2])
  ok, other, first, last = 0, 0, 0, 0
end

function request()
  local t = now()
  if first == 0 then first = t end
  if t - first >= window then return "" end -- park the connection
  return req
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
  last = now()
end

function done(summary, latency, requests)
  local n, m, f, l = 0, 0, math.huge, 0
  for _, t in ipairs(threads) do
    n = n + t:get("ok"); m = m + t:get("other")
    local tf, tl = t:get("first"), t:get("last")
    if tf > 0 and tf < f then f = tf end
    if tl > l then l = tl end
  end
  local secs = l - f
  io.write(string.format("COUNT ok=%d other=%d seconds=%.3f rate=%.1f errors=%d\n", n, m, secs,
    secs > 0 and n / secs or 0, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
EOF

# count_run FILE THREADS CONNECTIONS WINDOW URL PATH: one wrk run with the
# counting script; its output goes to FILE.
count_run() {
	wrk -t"$2" -c"$3" -d"$(($4 + 3))s" --timeout "$(($4 + 30))s" -s "$out/count.lua" "$5" -- "$4" "$6" >"$1" 2>&1 || {
		echo "web.sh: wrk failed:" >&2
		cat "$1" >&2
		return 1
	}
	grep -q '^COUNT ' "$1" || {
		echo "web.sh: wrk printed no count:" >&2
		cat "$1" >&2
		return 1
	}
}
# cfield FILE KEY, rfield FILE KEY: a value from a COUNT or RESULT line.
cfield() { sed -n 's/^COUNT.* '"$2"'=\([^ ]*\).*/\1/p' "$1"; }
rfield() { sed -n 's/^RESULT.* '"$2"'=\([^ ]*\).*/\1/p' "$1"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- the database -------------------------------------------------------------
echo "== preparing a SQLite database: the demo's story and site, and an announced review of $N_CYCLE enterprises (takes a minute or two)" >&2
db="$out/web.db"
"$out/webbench" prepare -database "$db" -n "$N_CYCLE" | tee "$out/prepare.txt" >&2
ann=$(rfield "$out/prepare.txt" announcement)
cycle=$(rfield "$out/prepare.txt" cycle)
views0=$(rfield "$out/prepare.txt" views)
[ -n "$ann" ] && [ -n "$cycle" ] || { echo "web.sh: webbench prepare printed no RESULT line" >&2; exit 1; }

# --- 1. the announcement page beside nginx ------------------------------------
start_server sqlite "$db"
sport=$port
page="/announcements/$ann"
mkdir -p "$out/nginx/www" "$out/nginx/tmp"
code=$(curl -s -o "$out/nginx/www/announcement.html" -w '%{http_code}' "http://127.0.0.1:$sport$page")
[ "$code" = 200 ] || { echo "web.sh: GET $page answered $code" >&2; exit 1; }
expect=$((views0 + 1)) # this fetch is a read too
bytes=$(wc -c <"$out/nginx/www/announcement.html")

nport=$(free_port)
{
	[ "$(id -u)" -ne 0 ] || echo "user root;"
	cat <<EOF
worker_processes auto;
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log $out/nginx/access.log;
  sendfile on;
  client_body_temp_path $out/nginx/tmp;
  proxy_temp_path $out/nginx/tmp;
  fastcgi_temp_path $out/nginx/tmp;
  uwsgi_temp_path $out/nginx/tmp;
  scgi_temp_path $out/nginx/tmp;
  server {
    listen 127.0.0.1:$nport;
    root $out/nginx/www;
  }
}
EOF
} >"$out/nginx/nginx.conf"
"$NGINX" -p "$out/nginx" -e "$out/nginx/error.log" -c "$out/nginx/nginx.conf"
wait_up "http://127.0.0.1:$nport/announcement.html"

echo "== announcement page ($bytes bytes): wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s of load a run, $RUNS runs each, nginx and exemplar in turn" >&2
count_run "$out/warm-nginx.txt" "$THREADS" "$CONNECTIONS" 2 "http://127.0.0.1:$nport" /announcement.html
count_run "$out/warm-sqlite.txt" "$THREADS" "$CONNECTIONS" 2 "http://127.0.0.1:$sport" "$page"
expect=$((expect + $(cfield "$out/warm-sqlite.txt" ok)))
nginx_rates="" sqlite_rates="" sqlite_other=0 nginx_other=0
for r in $(seq "$RUNS"); do
	count_run "$out/nginx-$r.txt" "$THREADS" "$CONNECTIONS" "$DURATION" "http://127.0.0.1:$nport" /announcement.html
	count_run "$out/sqlite-$r.txt" "$THREADS" "$CONNECTIONS" "$DURATION" "http://127.0.0.1:$sport" "$page"
	nginx_rates="$nginx_rates $(cfield "$out/nginx-$r.txt" rate)"
	sqlite_rates="$sqlite_rates $(cfield "$out/sqlite-$r.txt" rate)"
	expect=$((expect + $(cfield "$out/sqlite-$r.txt" ok)))
	sqlite_other=$((sqlite_other + $(cfield "$out/sqlite-$r.txt" other)))
	nginx_other=$((nginx_other + $(cfield "$out/nginx-$r.txt" other)))
	echo "   run $r: nginx $(cfield "$out/nginx-$r.txt" rate)/s, exemplar $(cfield "$out/sqlite-$r.txt" rate)/s ($(cfield "$out/sqlite-$r.txt" ok) ok, $(cfield "$out/sqlite-$r.txt" other) other, $(cfield "$out/sqlite-$r.txt" errors) socket errors)" >&2
done
nginx_rate=$(echo "$nginx_rates" | median)
sqlite_rate=$(echo "$sqlite_rates" | median)

# --- 2. the results page of the big cycle --------------------------------------
# Paths and what they show: page 1 by rank; passing enterprises by score,
# highest first, page 100; a search for ten names.
rpaths=("/cycles/$cycle/results" "/cycles/$cycle/results?sort=score&desc=1&outcome=pass&page=100"
	"/cycles/$cycle/results?q=%E4%BC%81%E4%B8%9A0999")
rqueries=("" "sort=score&desc=1&outcome=pass&page=100" "q=企业0999")
rnames=("results, page 1 by rank" "  sorted by score, passing only, page 100" "  search (10 of $N_CYCLE)")
if [ "$N_CYCLE" -gt 0 ]; then
	echo "== results page of cycle $cycle ($N_CYCLE enterprises): wrk -t1 -c$LATENCY_CONNECTIONS --latency, ${RESULTS_DURATION}s each" >&2
	for i in "${!rpaths[@]}"; do
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$sport${rpaths[$i]}")
		[ "$code" = 200 ] || { echo "web.sh: GET ${rpaths[$i]} answered $code" >&2; exit 1; }
		wrk -t1 -c"$LATENCY_CONNECTIONS" -d"${RESULTS_DURATION}s" --timeout 30s --latency "http://127.0.0.1:$sport${rpaths[$i]}" >"$out/results-$i.txt"
		grep -E 'Latency|50%|99%|Requests/sec|Non-2xx|Socket' "$out/results-$i.txt" | sed 's/^/   /' >&2
		if grep -q 'Non-2xx' "$out/results-$i.txt"; then
			echo "web.sh: ${rpaths[$i]} answered errors under load" >&2
			exit 1
		fi
	done
fi

stop_server sqlite
"$out/webbench" views -database "$db" -id "$ann" >"$out/views-sqlite.txt"
stored=$(rfield "$out/views-sqlite.txt" views)

if [ "$N_CYCLE" -gt 0 ]; then
	echo "== the store's query of each results page alone (webbench rows, 200 one after another)" >&2
	for i in "${!rqueries[@]}"; do
		"$out/webbench" rows -database "$db" -cycle "$cycle" -query "${rqueries[$i]}" -runs 200 | tee "$out/rows-$i.txt" >&2
	done
fi

# --- 3. two servers on one PostgreSQL --------------------------------------------
pg=no
if [ "${POSTGRES:-yes}" != no ]; then
	pg=yes
	echo "== starting a throwaway PostgreSQL (.ci/postgres.sh)" >&2
	# Outside $out (mode 0700 on some systems): the server runs as the postgres user.
	pgdir="${TMPDIR:-/tmp}/exemplar-web-pg-$$"
	pgurl=$(bash .ci/postgres.sh start "$pgdir" | tail -n 1)
	echo "== preparing PostgreSQL: the demo's story and site" >&2
	"$out/webbench" prepare -database "$pgurl" -n 0 | tee "$out/prepare-pg.txt" >&2
	pann=$(rfield "$out/prepare-pg.txt" announcement)
	pexpect=$(rfield "$out/prepare-pg.txt" views)
	start_server pg1 "$pgurl"
	p1=$port
	start_server pg2 "$pgurl"
	p2=$port
	half=$((CONNECTIONS / 2))
	echo "== announcement page on two servers sharing PostgreSQL: two wrk at once, each -t$ht -c$half, $RUNS runs" >&2
	count_run "$out/warm-pg1.txt" "$ht" "$half" 2 "http://127.0.0.1:$p1" "/announcements/$pann" &
	w1=$!
	count_run "$out/warm-pg2.txt" "$ht" "$half" 2 "http://127.0.0.1:$p2" "/announcements/$pann" &
	w2=$!
	wait "$w1" && wait "$w2"
	pexpect=$((pexpect + $(cfield "$out/warm-pg1.txt" ok) + $(cfield "$out/warm-pg2.txt" ok)))
	pg_rates="" pg_other=0 pg_nginx_rates=""
	for r in $(seq "$RUNS"); do
		# nginx again, in turn with the pair: the baseline of the same minutes.
		count_run "$out/pg-nginx-$r.txt" "$THREADS" "$CONNECTIONS" "$DURATION" "http://127.0.0.1:$nport" /announcement.html
		pg_nginx_rates="$pg_nginx_rates $(cfield "$out/pg-nginx-$r.txt" rate)"
		count_run "$out/pg1-$r.txt" "$ht" "$half" "$DURATION" "http://127.0.0.1:$p1" "/announcements/$pann" &
		w1=$!
		count_run "$out/pg2-$r.txt" "$ht" "$half" "$DURATION" "http://127.0.0.1:$p2" "/announcements/$pann" &
		w2=$!
		wait "$w1" && wait "$w2"
		a=$(cfield "$out/pg1-$r.txt" rate)
		b=$(cfield "$out/pg2-$r.txt" rate)
		pg_rates="$pg_rates $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", a + b }')"
		pexpect=$((pexpect + $(cfield "$out/pg1-$r.txt" ok) + $(cfield "$out/pg2-$r.txt" ok)))
		pg_other=$((pg_other + $(cfield "$out/pg1-$r.txt" other) + $(cfield "$out/pg2-$r.txt" other)))
		echo "   run $r: nginx $(cfield "$out/pg-nginx-$r.txt" rate)/s; exemplar $a/s + $b/s" >&2
	done
	pg_rate=$(echo "$pg_rates" | median)
	pg_nginx_rate=$(echo "$pg_nginx_rates" | median)
	stop_server pg1
	stop_server pg2
	"$out/webbench" views -database "$pgurl" -id "$pann" >"$out/views-pg.txt"
	pstored=$(rfield "$out/views-pg.txt" views)
fi

# --- the table -------------------------------------------------------------------
row() { printf '%-46s %-28s %-38s %-7s %-7s %s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
lat() { awk '$1 == "'"$1"'" { print $2 }' "$2"; }
fail=0
echo
row "figure" "measured" "baseline (same run)" "ratio" "aim" "met"
row "------" "--------" "-------------------" "-----" "---" "---"
row "announcement page, exemplar serve (SQLite)" "$(printf '%.0f' "$sqlite_rate") req/s" "$(printf '%.0f' "$nginx_rate") req/s nginx, static" \
	"$(ratio "$sqlite_rate" "$nginx_rate")" "≥ 0.5×" "$(awk -v a="$sqlite_rate" -v b="$nginx_rate" 'BEGIN { print (a >= b / 2) ? "yes" : "NO" }')"
row "  runs (req/s)" "$(echo $sqlite_rates)" "$(echo $nginx_rates)" "" "" ""
row "  non-200 responses" "$sqlite_other" "$nginx_other" "" "0" "$([ "$sqlite_other" -eq 0 ] && echo yes || echo NO)"
met=yes
[ "$stored" = "$expect" ] || { met=NO; fail=1; }
row "  views stored after SIGINT = 200s received" "$stored" "$expect 200 responses" "" "equal" "$met"
if [ "$N_CYCLE" -gt 0 ]; then
	for i in "${!rpaths[@]}"; do
		f="$out/results-$i.txt"
		row "${rnames[$i]}" "p50 $(lat 50% "$f") p99 $(lat 99% "$f")" \
			"query alone p50 $(rfield "$out/rows-$i.txt" p50_ms)ms p99 $(rfield "$out/rows-$i.txt" p99_ms)ms" "" "(none)" "-"
		row "    requests, throughput at -c$LATENCY_CONNECTIONS" "$(awk '/requests in/ { n = $1 } /Requests\/sec/ { printf "%d, %.1f req/s", n, $2 }' "$f")" "" "" "" ""
	done
fi
if [ "$pg" = yes ]; then
	row "announcement page, 2 × serve on PostgreSQL" "$(printf '%.0f' "$pg_rate") req/s summed" "$(printf '%.0f' "$pg_nginx_rate") req/s nginx, static" \
		"$(ratio "$pg_rate" "$pg_nginx_rate")" "≥ 0.5×" "$(awk -v a="$pg_rate" -v b="$pg_nginx_rate" 'BEGIN { print (a >= b / 2) ? "yes" : "NO" }')"
	row "  runs (req/s, both summed)" "$(echo $pg_rates)" "$(echo $pg_nginx_rates)" "" "" ""
	row "  non-200 responses" "$pg_other" "" "" "0" "$([ "$pg_other" -eq 0 ] && echo yes || echo NO)"
	met=yes
	[ "$pstored" = "$pexpect" ] || { met=NO; fail=1; }
	row "  views stored after SIGINT = 200s received" "$pstored" "$pexpect 200 responses" "" "equal" "$met"
fi
echo
echo "Rates: 200 responses per second over each run's ${DURATION}s window (wrk -t$THREADS -c$CONNECTIONS; for PostgreSQL two wrk -t$ht -c$((CONNECTIONS / 2)) at once),"
echo "median of $RUNS, nginx run in turn with exemplar; nginx ($(nproc) workers, access log on) serves the page exemplar rendered, $bytes bytes."
echo "Results pages: wrk's latency over ${RESULTS_DURATION}s at -c$LATENCY_CONNECTIONS beside the store's query alone (DecisionRows, one at a time, 200 runs)."
echo "wrk, the servers and anything else running share $(nproc) cores: compare the ratios, and re-run when in doubt."
if [ "$fail" -ne 0 ]; then
	echo "web.sh: a stored view count differs from the 200 responses received" >&2
	exit 1
fi
