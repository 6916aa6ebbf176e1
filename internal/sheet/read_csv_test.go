package sheet

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadCSVSeparators(t *testing.T) {
	dir := t.TempDir()
	want := [][]string{{"华为技术有限公司", "1,234.5", "a;b"}, {"Xiaomi", "2", ""}}
	for name, content := range map[string]string{
		"comma.csv":     "\uFEFFName,Sales,Tags\r\n华为技术有限公司,\"1,234.5\",a;b\r\nXiaomi,2,\r\n",
		"semicolon.csv": "Name;Sales;Tags\n华为技术有限公司;1,234.5;\"a;b\"\nXiaomi;2;\n",
		"tab.txt":       "Name\tSales\tTags\n华为技术有限公司\t1,234.5\ta;b\nXiaomi\t2\t\n",
		"quoted.tsv":    "\"Name\"\t\"Sales\"\t\"Tags\"\n\"华为技术有限公司\"\t\"1,234.5\"\t\"a;b\"\n\"Xiaomi\"\t2\t\"\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := mustOpen(t, textFile(t, dir, name, content), Options{})
			if h := r.Header(); !reflect.DeepEqual(h, []string{"Name", "Sales", "Tags"}) {
				t.Fatalf("Header() = %q", h)
			}
			res := readAll(t, r)
			if len(res.errs) > 0 || !reflect.DeepEqual(res.rows, want) {
				t.Errorf("rows %q, errors %v", res.rows, res.errs)
			}
		})
	}
}

func TestReadCSVRowNumbers(t *testing.T) {
	// Row numbers are those Excel shows: blank lines count, and a quoted
	// value spanning lines is one row.
	content := "Name,Note\n" + // row 1
		"\n" + // row 2, blank
		"A,\"two\nlines\"\n" + // row 3
		"B,x\n" + // row 4
		" , \n" + // row 5, blanks only
		"\n" +
		"C,\"three\r\nline\r\nnote\"\n" + // row 7
		"D,y" // row 8, no final newline
	r := mustOpen(t, textFile(t, t.TempDir(), "rows.csv", content), Options{})
	res := readAll(t, r)
	if !reflect.DeepEqual(res.nums, []int{3, 4, 7, 8}) {
		t.Errorf("row numbers %v, want [3 4 7 8]", res.nums)
	}
	if res.rows[0][1] != "two\nlines" || res.rows[2][1] != "three\nline\nnote" {
		t.Errorf("multi-line values %q", res.rows)
	}
	if p := r.Progress(); p != 1 {
		t.Errorf("Progress() = %v", p)
	}
}

func TestReadCSVErrors(t *testing.T) {
	dir := t.TempDir()
	t.Run("invalid UTF-8", func(t *testing.T) {
		// "Name,Sales\nA,1\n<华为 in GBK>,2\nB,3\n"
		path := textFile(t, dir, "gbk.csv", "Name,Sales\nA,1\n\xbb\xaa\xce\xaa,2\nB,3\n")
		r := mustOpen(t, path, Options{})
		res := readAll(t, r)
		if len(res.errs) != 1 || !reflect.DeepEqual(res.nums, []int{2, 4}) {
			t.Fatalf("rows %v, errors %v", res.nums, res.errs)
		}
		e := res.errs[0]
		if !errors.Is(e, ErrEncoding) || e.Row != 3 || e.Column != "A" || e.Header != "Name" {
			t.Errorf("error %+v", e)
		}
		contains(t, e.Error(), path+`: row 3, column A ("Name"): not UTF-8 text`, "save the file as", "UTF-8")
	})
	t.Run("invalid UTF-8 in header", func(t *testing.T) {
		path := textFile(t, dir, "gbkhead.csv", "\xc3\xfb\xb3\xc6,Sales\nA,1\n")
		e := openErr(t, path, Options{}, ErrEncoding)
		contains(t, e.Error(), "row 1, column A")
	})
	t.Run("ragged", func(t *testing.T) {
		path := textFile(t, dir, "ragged.csv", "A,B,C\n1,2,3\n4,5\n6,7,8,,\n9,10,11,12\n13,14,15\n")
		r := mustOpen(t, path, Options{})
		res := readAll(t, r)
		if len(res.errs) != 2 || !reflect.DeepEqual(res.nums, []int{2, 4, 6}) {
			t.Fatalf("rows %v, errors %v", res.nums, res.errs)
		}
		if !errors.Is(res.errs[0], ErrRaggedRow) || res.errs[0].Row != 3 {
			t.Errorf("first error %v", res.errs[0])
		}
		contains(t, res.errs[0].Error(), path+": row 3: wrong number of values: 2 values, but the header has 3 columns")
		if !errors.Is(res.errs[1], ErrNoHeaderColumn) || res.errs[1].Row != 5 || res.errs[1].Column != "D" {
			t.Errorf("second error %v", res.errs[1])
		}
		contains(t, res.errs[1].Error(), `row 5, column D: value in a column with no header`, `"12"`)
	})
	t.Run("bare quote", func(t *testing.T) {
		path := textFile(t, dir, "quote.csv", "Name,Size\nA,1\nB 12\" pipe,2\nC,3\n")
		r := mustOpen(t, path, Options{})
		res := readAll(t, r)
		if len(res.errs) != 1 || !errors.Is(res.errs[0], ErrSyntax) || res.errs[0].Row != 3 {
			t.Fatalf("rows %v, errors %v", res.nums, res.errs)
		}
		contains(t, res.errs[0].Error(), path+": row 3: CSV syntax error at line 3", `doubled ("")`)
		if !reflect.DeepEqual(res.nums, []int{2, 4}) {
			t.Errorf("rows after the error: %v", res.nums)
		}
	})
	t.Run("unclosed quote", func(t *testing.T) {
		path := textFile(t, dir, "unclosed.csv", "Name,Note\nA,\"never closed\nB,2\n")
		r := mustOpen(t, path, Options{})
		res := readAll(t, r)
		if len(res.errs) != 1 || !errors.Is(res.errs[0], ErrSyntax) || res.errs[0].Row != 2 {
			t.Fatalf("rows %v, errors %v", res.nums, res.errs)
		}
	})
	t.Run("only a BOM", func(t *testing.T) {
		openErr(t, textFile(t, dir, "bom.csv", "\uFEFF\r\n\r\n"), Options{}, ErrNoHeader)
	})
	t.Run("duplicate", func(t *testing.T) {
		e := openErr(t, textFile(t, dir, "dup.csv", "Code;Name;CODE\n"), Options{}, ErrDuplicateHeader)
		contains(t, e.Error(), `row 1, column C ("CODE"): duplicate column name: the same as column A ("Code")`)
	})
	t.Run("name option", func(t *testing.T) {
		path := textFile(t, dir, "x.csv", "A\n1,2\n")
		r := mustOpen(t, path, Options{Name: "上传.csv"})
		_, _, err := r.Next()
		if !strings.HasPrefix(err.Error(), "上传.csv: row 2, column B: ") {
			t.Errorf("error %v", err)
		}
	})
}

func TestSniffSeparator(t *testing.T) {
	tests := []struct {
		head string
		want rune
	}{
		{"a,b,c\n", ','},
		{"a;b;c\n", ';'},
		{"a\tb\tc\n", '\t'},
		{"\"x,y,z\";b;c\n", ';'},
		{"title\n\na;b\n", ';'},
		{"one column\n", ','},
		{"a;b,c\n", ','},
		{"", ','},
	}
	for _, tt := range tests {
		if got := sniffSeparator([]byte(tt.head)); got != tt.want {
			t.Errorf("sniffSeparator(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD", -1: ""} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
		if i >= 0 && columnIndex(want) != i {
			t.Errorf("columnIndex(%q) = %d, want %d", want, columnIndex(want), i)
		}
	}
	if columnIndex("a1") != -1 || columnIndex("") != -1 {
		t.Error("columnIndex accepts a non-column")
	}
}

func TestErrorRendering(t *testing.T) {
	err := errors.New("boom")
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.csv", Err: err}, "a.csv: boom"},
		{Error{File: "a.csv", Row: 3, Err: err}, "a.csv: row 3: boom"},
		{Error{File: "a.xlsx", Sheet: "S", Row: 3, Column: "B", Err: err}, `a.xlsx: sheet "S", row 3, column B: boom`},
		{Error{Row: 2, Column: "C", Header: "H"}, `row 2, column C ("H")`},
		{Error{Err: err}, "boom"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
