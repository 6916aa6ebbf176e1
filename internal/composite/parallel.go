package composite

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// EachColumn calls fn(k) for every k in [0, n), on up to workers
// goroutines at once (workers ≤ 0 means runtime.GOMAXPROCS), and waits for
// all of them. It is meant for per-indicator steps — imputation, outlier
// treatment, normalisation — whose columns are independent: fn(k) must
// touch only column k (and its own result slot). Every call runs even if
// some fail; the error returned is that of the lowest k that failed, so it
// does not depend on scheduling.
func EachColumn(n, workers int, fn func(k int) error) error {
	if n <= 0 {
		return nil
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	errs := make([]error, n)
	if workers == 1 {
		for k := range n {
			errs[k] = fn(k)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					k := int(next.Add(1) - 1)
					if k >= n {
						return
					}
					errs[k] = fn(k)
				}
			})
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
