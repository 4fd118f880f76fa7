package handlers_test

import (
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// scrapeForm reads the values a browser would submit from the form at sel:
// inputs (checkboxes only when checked), selected options and textareas.
func scrapeForm(t *testing.T, r resp, sel string) url.Values {
	t.Helper()
	form := r.Doc(t).Find(sel).First()
	if form.Length() == 0 {
		t.Fatalf("no form %s (status %d)", sel, r.StatusCode)
	}
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		if (typ == "checkbox" || typ == "radio") && s.AttrOr("checked", "-") == "-" {
			return
		}
		v.Add(name, s.AttrOr("value", ""))
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		opt := s.Find("option[selected]").First()
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		v.Add(name, opt.AttrOr("value", ""))
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v.Add(name, s.Text())
	})
	return v
}
