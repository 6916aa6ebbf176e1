package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/exemplar/exemplar/internal/errs"
)

// Lists in the API are paginated with ?limit= and ?offset= and, where a
// list has an order worth choosing, sorted with ?sort=key or ?sort=-key
// (descending). Every list answers with apiList: the page of items, the
// total the query selects, and the limit, offset and sort it used.

const (
	defaultLimit = 50
	maxLimit     = 500
)

// apiList is one page of a list.
type apiList[T any] struct {
	Items  []T    `json:"items"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Sort   string `json:"sort,omitempty"`
}

// listQuery is a list request's page and order.
type listQuery struct {
	limit, offset int
	sort          string // a key of the list's sorter, "-" in front for descending
}

// parseList reads ?limit=, ?offset= and, when the list is sortable (by
// is not nil), ?sort=. A bad value is invalid and names its parameter.
func parseList[T any](r *request, by *sorter[T]) (listQuery, error) {
	q := r.URL.Query()
	lq := listQuery{limit: defaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return lq, errs.WithField("limit", errs.New(errs.Invalid, "limit: a whole number from 1 to %d, not %q", maxLimit, v))
		}
		lq.limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return lq, errs.WithField("offset", errs.New(errs.Invalid, "offset: a whole number from 0 up, not %q", v))
		}
		lq.offset = n
	}
	if by != nil {
		lq.sort = by.def
		if v := q.Get("sort"); v != "" {
			if _, ok := by.keys[strings.TrimPrefix(v, "-")]; !ok {
				return lq, errs.WithField("sort", errs.New(errs.Invalid, "sort: one of %s (with - in front for descending), not %q",
					strings.Join(by.names(), ", "), v))
			}
			lq.sort = v
		}
	} else if q.Has("sort") {
		return lq, errs.WithField("sort", errs.New(errs.Invalid, "sort: this list has one order and cannot be sorted"))
	}
	return lq, nil
}

// sorter is the orders a list offers: a comparison per key, and the
// default key. Ties keep the list's own order (by id, as workflow
// returns it), so pages never overlap.
type sorter[T any] struct {
	def  string
	keys map[string]func(a, b T) int
}

// names are the sort keys, sorted.
func (s *sorter[T]) names() []string {
	out := make([]string, 0, len(s.keys))
	for k := range s.keys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// values are what ?sort= accepts: each key, ascending and descending.
func (s *sorter[T]) values() []string {
	var out []string
	for _, k := range s.names() {
		out = append(out, k, "-"+k)
	}
	return out
}

// pageItems sorts items as lq says (when by is set) and cuts out lq's page.
// items is sorted in place.
func pageItems[T any](items []T, lq listQuery, by *sorter[T]) apiList[T] {
	if by != nil && lq.sort != "" {
		key, desc := strings.CutPrefix(lq.sort, "-")
		less := by.keys[key]
		slices.SortStableFunc(items, func(a, b T) int {
			if desc {
				return less(b, a)
			}
			return less(a, b)
		})
	}
	from := min(lq.offset, len(items))
	to := min(from+lq.limit, len(items))
	out := make([]T, to-from)
	copy(out, items[from:to])
	return apiList[T]{Items: out, Total: len(items), Limit: lq.limit, Offset: lq.offset, Sort: lq.sort}
}

// compareTimes orders optional instants, missing ones first.
func compareTimes[P interface{ Compare(t2 P) int }](a, b *P) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return (*a).Compare(*b)
}

// compareOptional orders optional numbers, missing ones first.
func compareOptional[N cmp.Ordered](a, b *N) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}
