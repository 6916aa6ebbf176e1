#!/usr/bin/env bash
# bench/score.sh — the scoring engine's speed and memory figures, each
# beside its baseline measured in the same run (see bench/README.md).
#
#   bash bench/score.sh            # from anywhere in the repository
#   COUNT=5 bash bench/score.sh    # more runs per benchmark (default 3)
#
# Prints a table: figure, measured (median of COUNT runs), baseline,
# ratio, target and whether it is met. Exits non-zero only when something
# fails to run; a missed target is reported, not an error.
set -euo pipefail

cd "$(dirname "$0")/.."
export GOFLAGS=-mod=mod
COUNT=${COUNT:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== engine benchmarks (go test -bench, -count $COUNT; $(nproc) cores)" >&2
# One benchmark at a time (go test runs them one after another), each
# program in a process of its own so that one's tables do not weigh on the
# other's garbage collector. -benchtime 2s gives the engines several runs
# after the first, which faults in the heap.
for prog in Composite1Mx30 HNTE1M; do
	go test -run '^$' -bench "^Benchmark(Floor|FloorWrite)?$prog\$" -benchtime 2s \
		-benchmem -count "$COUNT" -timeout 20m ./internal/scoring/ | tee -a "$out/scoring.txt" >&2
done

echo "== peak memory (go run ./bench/cmd/enginepeak, a process of its own)" >&2
go run ./bench/cmd/enginepeak -program composite -reuse=true | tee "$out/peak.txt" >&2

# Reading SB2023_World2500.xlsx: only when internal/sheet has both
# benchmarks (they are someone else's).
sheet=no
if grep -qs 'func BenchmarkReadSB2023(' internal/sheet/*_test.go &&
	grep -qs 'func BenchmarkExcelizeGetRows(' internal/sheet/*_test.go; then
	if [ -f ../shared/data/SB2023_World2500.xlsx ]; then
		sheet=yes
		echo "== reading SB2023_World2500.xlsx (internal/sheet)" >&2
		go test -run '^$' -bench '^Benchmark(ReadSB2023|ExcelizeGetRows)$' \
			-benchmem -count "$COUNT" ./internal/sheet/ | tee "$out/sheet.txt" >&2
	else
		echo "== skipping the SB2023 figure: ../shared/data/SB2023_World2500.xlsx not found" >&2
	fi
else
	echo "== skipping the SB2023 figure: internal/sheet has no BenchmarkReadSB2023 and BenchmarkExcelizeGetRows" >&2
fi

# median NAME FIELD FILE: the median of the value before unit FIELD
# ("ns/op", "enterprises/s", "B/op", "allocs/op") over the lines of
# benchmark NAME.
median() {
	awk -v name="$1" -v unit="$2" '
		$1 ~ "^" name "(-[0-9]+)?$" {
			for (i = 3; i <= NF; i++) if ($i == unit) v[n++] = $(i-1)
		}
		END {
			if (n == 0) { print "NA"; exit }
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			print (n % 2) ? v[int(n/2)] : (v[n/2-1] + v[n/2]) / 2
		}' "$3"
}

field() { # field KEY: a value from enginepeak's RESULT line
	sed -n 's/^RESULT .*[ ]'"$1"'=\([0-9]*\).*/\1/p' "$out/peak.txt"
}

for b in FloorComposite1Mx30 Composite1Mx30 FloorHNTE1M FloorWriteHNTE1M HNTE1M; do
	if [ "$(median "Benchmark$b" ns/op "$out/scoring.txt")" = NA ]; then
		echo "score.sh: Benchmark$b did not run" >&2
		exit 1
	fi
done
if [ -z "$(field peak_rss)" ]; then
	echo "score.sh: enginepeak printed no RESULT line" >&2
	exit 1
fi

# row FIGURE MEASURED BASELINE RATIO TARGET MET
row() { printf '%-44s %-26s %-26s %-8s %-8s %s\n' "$@"; }
ms() { awk -v x="$1" 'BEGIN { printf "%.1f ms", x / 1e6 }'; }
rate() { awk -v x="$1" 'BEGIN { printf "%.2fM ent/s", x / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }
met() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { print (a / b <= t) ? "yes" : "NO" }'; }

echo
row "figure" "measured (median)" "baseline (same run)" "ratio" "target" "met"
row "------" "-----------------" "-------------------" "-----" "------" "---"

c=$(median BenchmarkComposite1Mx30 ns/op "$out/scoring.txt")
cf=$(median BenchmarkFloorComposite1Mx30 ns/op "$out/scoring.txt")
row "composite 1M × 30, time per run" "$(ms "$c")" "$(ms "$cf") read matrix once" "$(ratio "$c" "$cf")" "≤ 10×" "$(met "$c" "$cf" 10)"
row "  enterprises per second" "$(rate "$(median BenchmarkComposite1Mx30 enterprises/s "$out/scoring.txt")")" \
	"$(rate "$(median BenchmarkFloorComposite1Mx30 enterprises/s "$out/scoring.txt")")" "" "" ""
row "  allocations per run" "$(median BenchmarkComposite1Mx30 allocs/op "$out/scoring.txt") allocs, $(awk -v b="$(median BenchmarkComposite1Mx30 B/op "$out/scoring.txt")" 'BEGIN { printf "%.0f MB", b / 1e6 }')" "" "" "" ""

h=$(median BenchmarkHNTE1M ns/op "$out/scoring.txt")
hf=$(median BenchmarkFloorHNTE1M ns/op "$out/scoring.txt")
row "hnte bands 1M, time per run" "$(ms "$h")" "$(ms "$hf") read inputs once" "$(ratio "$h" "$hf")" "≤ 5×" "$(met "$h" "$hf" 5)"
hw=$(median BenchmarkFloorWriteHNTE1M ns/op "$out/scoring.txt")
row "  beside writing its result once" "$(ms "$h")" "$(ms "$hw") allocate+write" "$(ratio "$h" "$hw")" "" ""
row "  enterprises per second" "$(rate "$(median BenchmarkHNTE1M enterprises/s "$out/scoring.txt")")" \
	"$(rate "$(median BenchmarkFloorHNTE1M enterprises/s "$out/scoring.txt")")" "" "" ""
row "  allocations per run" "$(median BenchmarkHNTE1M allocs/op "$out/scoring.txt") allocs, $(awk -v b="$(median BenchmarkHNTE1M B/op "$out/scoring.txt")" 'BEGIN { printf "%.0f MB", b / 1e6 }')" "" "" "" ""

pk=$(field peak_rss)
mx=$(field matrix_bytes)
row "composite peak RSS (Reuse: true)" "$(awk -v x="$pk" 'BEGIN { printf "%.0f MB", x / 1e6 }')" \
	"$(awk -v x="$mx" 'BEGIN { printf "%.0f MB", x / 1e6 }') matrix" "$(ratio "$pk" "$mx")" "≤ 2×" "$(met "$pk" "$mx" 2)"
row "  same run: time, cold (fresh process)" "$(field run_ms) ms" "" "" "" ""

if [ "$sheet" = yes ]; then
	s=$(median BenchmarkReadSB2023 ns/op "$out/sheet.txt")
	sx=$(median BenchmarkExcelizeGetRows ns/op "$out/sheet.txt")
	if [ "$s" = NA ] || [ "$sx" = NA ]; then
		echo "score.sh: the internal/sheet benchmarks did not run" >&2
		exit 1
	fi
	row "SB2023_World2500.xlsx into the engine" "$(ms "$s")" "$(ms "$sx") excelize GetRows" "$(ratio "$s" "$sx")" "(none)" "-"
fi
echo
echo "Baselines: a plain Go loop summing the same input once (one core); the engine uses all cores."
echo "Peak RSS is the whole process (table, ids, Go runtime and the engine) from one run of bench/cmd/enginepeak."
