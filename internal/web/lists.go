package web

import (
	"net/url"
	"strconv"
)

// pageSize is how many rows a list shows per page.
const pageSize = 20

// pager is a list's position and the request's other list parameters
// (search, sort, filters), which its links keep.
type pager struct {
	Page, Pages, Total int
	Query              string // the search
	Sort               string
	Desc               bool
	params             url.Values
}

// pageOf reads ?page= (1-based).
func pageOf(r *request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 {
		return 1
	}
	return p
}

func newPager(r *request, page, total int) pager {
	q := r.URL.Query()
	return pager{Page: page, Pages: max(1, (total+pageSize-1)/pageSize), Total: total,
		Query: q.Get("q"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1", params: q}
}

// Prev is the previous page, or 0 on the first.
func (p pager) Prev() int {
	if p.Page > 1 {
		return p.Page - 1
	}
	return 0
}

// Next is the next page, or 0 on the last.
func (p pager) Next() int {
	if p.Page < p.Pages {
		return p.Page + 1
	}
	return 0
}

// URL is the address of page n of the same list.
func (p pager) URL(n int) string {
	v := url.Values{}
	for k, vs := range p.params {
		v[k] = vs
	}
	v.Set("page", strconv.Itoa(n))
	return "?" + v.Encode()
}

// SortURL is the address of the list sorted by column: ascending, or
// descending when it is sorted by column ascending already. It goes back
// to the first page.
func (p pager) SortURL(column string) string {
	v := url.Values{}
	for k, vs := range p.params {
		v[k] = vs
	}
	v.Del("page")
	v.Set("sort", column)
	v.Del("desc")
	if p.Sort == column && !p.Desc {
		v.Set("desc", "1")
	}
	return "?" + v.Encode()
}

// Arrow marks the column the list is sorted by.
func (p pager) Arrow(column string) string {
	switch {
	case p.Sort != column:
		return ""
	case p.Desc:
		return " ▼"
	}
	return " ▲"
}
