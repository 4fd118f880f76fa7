package components

import (
	"net/url"
	"testing"
)

// Every link a list renders changes one thing and keeps the rest of the URL state.
func TestQueryKeepsOtherFilters(t *testing.T) {
	q := Query{Path: "/risks", Values: url.Values{"band": {"High"}, "vendor": {"3"}, "page": {"4"}, "empty": {""}}}
	for name, tc := range map[string]struct{ got, want string }{
		"With sets a filter and goes back to page 1": {q.With("status", "open"), "/risks?band=High&status=open&vendor=3"},
		"With replaces a filter":                     {q.With("band", "Critical"), "/risks?band=Critical&vendor=3"},
		"With empty removes a filter":                {q.With("vendor", ""), "/risks?band=High"},
		"WithAll sets several":                       {q.WithAll("l", "5", "i", "4", "band", ""), "/risks?i=4&l=5&vendor=3"},
		"Page keeps every filter":                    {q.Page(5), "/risks?band=High&page=5&vendor=3"},
		"Page 1 drops the page":                      {q.Page(1), "/risks?band=High&vendor=3"},
		"Sort starts ascending on page 1":            {q.Sort("residual"), "/risks?band=High&dir=asc&sort=residual&vendor=3"},
		"URL drops empty values":                     {q.URL(), "/risks?band=High&page=4&vendor=3"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", name, tc.got, tc.want)
		}
	}
	if q.Values.Get("page") != "4" || q.Values.Get("band") != "High" {
		t.Errorf("building links changed the query itself: %v", q.Values)
	}
}

func TestQuerySortToggles(t *testing.T) {
	asc := Query{Path: "/engagements", Values: url.Values{"sort": {"name"}, "dir": {"asc"}}}
	if got := asc.Sort("name"); got != "/engagements?dir=desc&sort=name" {
		t.Errorf("sorting again by the same key gives %q, want descending", got)
	}
	desc := Query{Path: "/engagements", Values: url.Values{"sort": {"name"}, "dir": {"desc"}}}
	if got := desc.Sort("name"); got != "/engagements?dir=asc&sort=name" {
		t.Errorf("sorting a descending column gives %q, want ascending", got)
	}
	for key, want := range map[string]string{"name": "descending", "value": "none"} {
		if got := desc.SortState(key); got != want {
			t.Errorf("SortState(%s) = %q, want %q", key, got, want)
		}
	}
	if got := (Query{Path: "/engagements", Values: url.Values{}}).URL(); got != "/engagements" {
		t.Errorf("no filters gives %q", got)
	}
}

func TestPagesArithmetic(t *testing.T) {
	for _, tc := range []struct {
		p        Pages
		last     int
		from, to int64
	}{
		{Pages{Page: 1, PerPage: 25, Total: 0}, 1, 0, 0},
		{Pages{Page: 1, PerPage: 25, Total: 25}, 1, 1, 25},
		{Pages{Page: 2, PerPage: 25, Total: 26}, 2, 26, 26},
		{Pages{Page: 3, PerPage: 10, Total: 100}, 10, 21, 30},
	} {
		if tc.p.Last() != tc.last || tc.p.From() != tc.from || tc.p.To() != tc.to {
			t.Errorf("%+v: last %d from %d to %d, want %d %d %d", tc.p, tc.p.Last(), tc.p.From(), tc.p.To(), tc.last, tc.from, tc.to)
		}
	}
}
