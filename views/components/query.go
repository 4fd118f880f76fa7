// Package components holds the generic widgets pages are built from: badges,
// pager, sortable headers, empty states, the heat map and SVG charts.
package components

import (
	"net/url"
	"strconv"
)

// Query is a list page's URL state (filters, sort, page) so links can change one
// thing and keep the rest: a filtered view stays bookmarkable and shareable.
type Query struct {
	Path   string
	Values url.Values
	Target string // the id (with #) of the region htmx swaps
}

// With gives the URL with key set to val (removed when val is ""), back on page 1.
func (q Query) With(key, val string) string {
	v := clone(q.Values)
	v.Del("page")
	if val == "" {
		v.Del(key)
	} else {
		v.Set(key, val)
	}
	return q.url(v)
}

// Page gives the URL of page n.
func (q Query) Page(n int) string {
	v := clone(q.Values)
	if n <= 1 {
		v.Del("page")
	} else {
		v.Set("page", strconv.Itoa(n))
	}
	return q.url(v)
}

// Sort gives the URL sorting by key, toggling the direction when already sorted by it.
func (q Query) Sort(key string) string {
	v := clone(q.Values)
	v.Del("page")
	dir := "asc"
	if v.Get("sort") == key && v.Get("dir") != "desc" {
		dir = "desc"
	}
	v.Set("sort", key)
	v.Set("dir", dir)
	return q.url(v)
}

// SortState says how a column is sorted now, for aria-sort.
func (q Query) SortState(key string) string {
	if q.Values.Get("sort") != key {
		return "none"
	}
	if q.Values.Get("dir") == "desc" {
		return "descending"
	}
	return "ascending"
}

// URL is the current URL (without empty values, like every link built from it).
func (q Query) URL() string { return q.url(clone(q.Values)) }

// Get reads one value.
func (q Query) Get(key string) string { return q.Values.Get(key) }

func (q Query) url(v url.Values) string {
	if s := v.Encode(); s != "" {
		return q.Path + "?" + s
	}
	return q.Path
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if len(vs) > 0 && vs[0] != "" {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// Pages describes where a list is.
type Pages struct {
	Page, PerPage int
	Total         int64
}

// Last is the number of the last page (at least 1).
func (p Pages) Last() int {
	if p.Total == 0 || p.PerPage == 0 {
		return 1
	}
	return int((p.Total + int64(p.PerPage) - 1) / int64(p.PerPage))
}

// From is the 1-based index of the first row shown.
func (p Pages) From() int64 {
	if p.Total == 0 {
		return 0
	}
	return int64((p.Page-1)*p.PerPage) + 1
}

// To is the index of the last row shown.
func (p Pages) To() int64 {
	t := int64(p.Page * p.PerPage)
	if t > p.Total {
		return p.Total
	}
	return t
}

// WithAll gives the URL with several keys set (removed when ""), back on page 1.
func (q Query) WithAll(kv ...string) string {
	v := clone(q.Values)
	v.Del("page")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return q.url(v)
}
