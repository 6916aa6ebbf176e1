package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/exemplar/exemplar/internal/sheet"
)

// FuzzRead feeds arbitrary bytes as a CSV file to Read under a small
// program: it never panics, and it returns either a table whose every
// number is finite or an error that names the file.
func FuzzRead(f *testing.F) {
	f.Add([]byte("uscc,sales [3],share\n" + codeA + ",1,50%\n"))
	f.Add([]byte("统一社会信用代码,销售收入 第1年 (元),地区\n" + codeB + ",1230000,北方\n"))
	f.Add([]byte("uscc,sales [1],sales [1]\n"))
	f.Add([]byte("\xef\xbb\xbfuscc;staff\n" + codeA + ";12\n"))
	p, err := loadTiny()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := Read(p, path, Options{})
		if err != nil {
			if tab != nil {
				t.Fatal("a table and an error")
			}
			var se *sheet.Error
			var es *Errors
			if !errors.As(err, &se) && !errors.As(err, &es) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, col := range tab.Num {
			if len(col) != tab.N {
				t.Fatalf("column of %d rows in a table of %d", len(col), tab.N)
			}
			for _, x := range col {
				if x-x != 0 && x == x { // ±Inf
					t.Fatalf("infinite value read: %v", x)
				}
			}
		}
	})
}
