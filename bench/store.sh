#!/usr/bin/env bash
# bench/store.sh — the store's and workflow's speed figures of issue 3
# item 9, each beside its baseline measured in the same run (see
# bench/README.md, "Store and workflow").
#
#   bash bench/store.sh                     # SQLite, then a throwaway PostgreSQL
#   POSTGRES=no bash bench/store.sh         # SQLite only
#   DATABASE=postgres://… bash bench/store.sh   # an existing cluster (a fresh database each)
#   N_SUBMIT=2000 N_REVIEW=10000 bash bench/store.sh
#
# Exits non-zero only when something fails to run (a benchmark's own
# checks — nothing lost, nothing duplicated — failing counts as that);
# a missed target is reported, not an error.
set -euo pipefail

cd "$(dirname "$0")/.."
export GOFLAGS=-mod=mod
N_SUBMIT=${N_SUBMIT:-2000}
N_REVIEW=${N_REVIEW:-10000}
out=$(mktemp -d)
pgdir=""
cleanup() {
	if [ -n "$pgdir" ]; then bash .ci/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true; fi
	rm -rf "$out"
}
trap cleanup EXIT

echo "== building bench/cmd/submitbench and bench/cmd/reviewbench" >&2
go build -o "$out/submitbench" ./bench/cmd/submitbench
go build -o "$out/reviewbench" ./bench/cmd/reviewbench

dbs="sqlite"
pgurl=${DATABASE:-}
if [ -z "$pgurl" ] && [ "${POSTGRES:-yes}" != no ]; then
	echo "== starting a throwaway PostgreSQL (.ci/postgres.sh)" >&2
	# Outside $out (mode 0700): the server runs as the postgres user.
	pgdir="${TMPDIR:-/tmp}/exemplar-bench-pg-$$"
	pgurl=$(bash .ci/postgres.sh start "$pgdir" | tail -n 1)
fi
[ -z "$pgurl" ] || dbs="sqlite postgres"

for db in $dbs; do
	args=()
	[ "$db" = sqlite ] || args=(-database "$pgurl")
	echo "== submitbench on $db ($N_SUBMIT enterprises, 200 at a time)" >&2
	"$out/submitbench" -n "$N_SUBMIT" "${args[@]}" | tee "$out/submit-$db.txt" >&2
	echo "== reviewbench on $db ($N_REVIEW enterprises)" >&2
	"$out/reviewbench" -n "$N_REVIEW" "${args[@]}" | tee "$out/review-$db.txt" >&2
done

# field FILE KEY: a value from a RESULT line
field() { sed -n 's/^RESULT .*[ ]'"$2"'=\([^ ]*\).*/\1/p' "$1"; }
row() { printf '%-50s %-30s %-34s %-8s %-10s %s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }

for f in "$out"/submit-*.txt "$out"/review-*.txt; do
	if ! grep -q '^RESULT ' "$f"; then
		echo "store.sh: $(basename "$f" .txt) printed no RESULT line" >&2
		exit 1
	fi
done

echo
row "figure" "measured" "baseline (same run, same db)" "ratio" "target" "met"
row "------" "--------" "----------------------------" "-----" "------" "---"
for db in $dbs; do
	s="$out/submit-$db.txt"
	r="$out/review-$db.txt"
	row "[$db] $N_SUBMIT concurrent submissions" "$(field "$s" rate)/s" "$(field "$s" loop_rate) rows/s file+INSERT loop" \
		"$(ratio "$(field "$s" loop_rate)" "$(field "$s" rate)")" "(none)" "-"
	row "  files, then INSERTs all in one transaction" "" "$(field "$s" batch_rate) rows/s" "" "" ""
	row "  per client create+save+attach+submit p50 / p99" "$(field "$s" p50_ms) / $(field "$s" p99_ms) ms" "" "" "" ""
	row "  submit alone p50 / p99" "$(field "$s" submit_p50_ms) / $(field "$s" submit_p99_ms) ms" "" "" "" ""
	row "  lost / duplicated ($(field "$s" retries) clients retried)" "$(field "$s" lost) / $(field "$s" duplicated)" "" "" "0 / 0" "yes"
	row "[$db] review of $N_REVIEW, cohort to decisions" "$(field "$r" total_ms) ms" "$(field "$r" engine_ms) ms scoring.Run" \
		"$(ratio "$(field "$r" total_ms)" "$(field "$r" engine_ms)")" "several×" \
		"$(awk -v a="$(field "$r" total_ms)" -v b="$(field "$r" engine_ms)" 'BEGIN { print (a / b <= 10) ? "yes" : "NO" }')"
	row "  administrator's steps alone" "$(field "$r" admin_ms) ms" "" "$(ratio "$(field "$r" admin_ms)" "$(field "$r" engine_ms)")" "" ""
	row "  store alone: $N_REVIEW results, plain INSERT loop" "$(field "$r" plain_results_ms) ms" "" "" "" ""
	row "  open with cohort / save+submit" "$(field "$r" step1_ms) / $(field "$r" step2_ms) ms" "" "" "" ""
	row "  recommend / evaluation / deliberation" "$(field "$r" step4_ms) / $(field "$r" step5_ms) / $(field "$r" step6_ms) ms" "" "" "" ""
done
echo
echo "Baselines: submissions (each with one evidence file of its own, $(field "$out/submit-sqlite.txt" evidence_bytes) bytes) beside a plain loop"
echo "writing the same number of file bytes (synced) and INSERTing the same rows, one transaction each; the review beside"
echo "scoring.Run alone on the same stored inputs (median of 5). 'several×' is checked as ≤ 10×."
