// Command enginepeak measures the scoring engine's peak memory on the
// benchmark inputs of bench/benchdata, in a process of its own: it builds
// the table, resets the kernel's peak-RSS mark, scores the table once and
// prints the peak resident memory beside the size of the input matrix.
//
//	go run ./bench/cmd/enginepeak [-program composite|hnte] [-n 1000000] [-reuse=true]
//
// The last line is machine-readable for bench/score.sh:
//
//	RESULT program=composite n=1000000 matrix_bytes=… rss_before=… peak_rss=… peak_heap=… run_ms=…
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/exemplar/exemplar/bench/benchdata"
	"github.com/exemplar/exemplar/internal/program"
	"github.com/exemplar/exemplar/internal/scoring"
)

func main() {
	prog := flag.String("program", "composite", "composite (30 indicators) or hnte")
	n := flag.Int("n", 1_000_000, "enterprises")
	reuse := flag.Bool("reuse", true, "let the engine adopt the table's columns (scoring.Options.Reuse)")
	flag.Parse()
	if err := run(*prog, *n, *reuse); err != nil {
		fmt.Fprintln(os.Stderr, "enginepeak:", err)
		os.Exit(1)
	}
}

func run(prog string, n int, reuse bool) error {
	var (
		p      *program.Program
		t      *scoring.Table
		matrix [][]float64
		err    error
	)
	switch prog {
	case "composite":
		if p, err = benchdata.CompositeProgram(); err == nil {
			t, err = benchdata.CompositeTable(p, n)
		}
		if err == nil {
			matrix = benchdata.CompositeMatrix(p, t)
		}
	case "hnte":
		if p, err = benchdata.HNTEProgram(); err == nil {
			t, err = benchdata.HNTETable(p, n)
		}
		if err == nil {
			matrix = t.Num
		}
	default:
		err = fmt.Errorf("unknown program %q (composite or hnte)", prog)
	}
	if err != nil {
		return err
	}
	matrixBytes := 0
	for _, c := range matrix {
		matrixBytes += 8 * len(c)
	}
	tableBytes := 0
	for _, c := range t.Num {
		tableBytes += 8 * len(c)
	}
	// Give back what building the table left behind, so that the peak
	// below is the table plus what the engine takes.
	runtime.GC()
	debug.FreeOSMemory()
	if err := resetPeak(); err != nil {
		return err
	}
	before, err := status("VmRSS")
	if err != nil {
		return err
	}
	heapBefore := heapInUse()

	// Sample the heap every millisecond while the engine runs: the
	// kernel's mark gives resident memory, this gives the Go heap.
	var peakHeap atomic.Uint64
	peakHeap.Store(heapBefore)
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if h := heapInUse(); h > peakHeap.Load() {
					peakHeap.Store(h)
				}
			}
		}
	}()
	start := time.Now()
	r, err := scoring.Run(p, t, scoring.Options{Reuse: reuse})
	elapsed := time.Since(start)
	if h := heapInUse(); h > peakHeap.Load() {
		peakHeap.Store(h)
	}
	close(done)
	<-sampled
	if err != nil {
		return err
	}
	peak, err := status("VmHWM")
	if err != nil {
		return err
	}
	runtime.KeepAlive(r)
	runtime.KeepAlive(t)

	mb := func(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
	fmt.Printf("program %s, %d enterprises, Reuse %v, GOMAXPROCS %d\n", prog, n, reuse, runtime.GOMAXPROCS(0))
	fmt.Printf("input matrix          %s (%d columns of float64)\n", mb(uint64(matrixBytes)), len(matrix))
	fmt.Printf("whole numeric table   %s\n", mb(uint64(tableBytes)))
	fmt.Printf("RSS before the run    %s (table, ids, Go runtime)\n", mb(before))
	fmt.Printf("peak RSS in the run   %s = %.2f × the matrix\n", mb(peak), float64(peak)/float64(matrixBytes))
	fmt.Printf("engine's own peak     %s RSS above the table, %s Go heap above it\n", mb(peak-min(peak, before)), mb(peakHeap.Load()-min(peakHeap.Load(), heapBefore)))
	fmt.Printf("run                   %v (one cold run, not a benchmark)\n", elapsed.Round(time.Millisecond))
	fmt.Printf("RESULT program=%s n=%d matrix_bytes=%d rss_before=%d peak_rss=%d heap_before=%d peak_heap=%d run_ms=%d\n",
		prog, n, matrixBytes, before, peak, heapBefore, peakHeap.Load(), elapsed.Milliseconds())
	return nil
}

// resetPeak resets the kernel's peak-RSS mark (VmHWM) of this process.
func resetPeak() error {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return fmt.Errorf("cannot reset the peak RSS (Linux /proc/self/clear_refs): %w", err)
	}
	return nil
}

// status returns a size field of /proc/self/status in bytes.
func status(field string) (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/status %s: %w", field, err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("/proc/self/status has no %s", field)
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// heapInUse returns the bytes of live and not yet swept heap objects.
func heapInUse() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}
