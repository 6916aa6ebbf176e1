package composite

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestEachColumn(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7, 100} {
		var calls [50]atomic.Int32
		err := EachColumn(len(calls), workers, func(k int) error {
			calls[k].Add(1)
			if k == 31 || k == 17 || k == 44 {
				return fmt.Errorf("column %d failed", k)
			}
			return nil
		})
		if err == nil || err.Error() != "column 17 failed" {
			t.Errorf("workers %d: error %v, want the lowest failing column's", workers, err)
		}
		for k := range calls {
			if c := calls[k].Load(); c != 1 {
				t.Errorf("workers %d: column %d called %d times", workers, k, c)
			}
		}
	}
	if err := EachColumn(0, 4, func(int) error { return errors.New("called") }); err != nil {
		t.Errorf("no columns: %v", err)
	}
	if err := EachColumn(3, 2, func(int) error { return nil }); err != nil {
		t.Errorf("no failure: %v", err)
	}
}
