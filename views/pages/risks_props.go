package pages

import (
	"fmt"
	"net/url"

	"portfolio/models"
	"portfolio/models/register"
	"portfolio/views/components"
	"portfolio/views/layouts"
)

// RisksProps feed the risk register.
type RisksProps struct {
	Chrome layouts.Chrome
	Query  components.Query
	Filter register.RiskFilter
	Rows   []models.Risk
	Total  int64
	// Page is where Rows sit: number, last page, and cursors for the pager.
	Page register.RiskPage
	// Here is this page's URL with its cursor, where a quick action returns.
	Here        string
	Risk        models.RiskSettings
	Today       models.Date
	Residual    [5][5]int
	Inherent    [5][5]int
	Engagements []models.Engagement // for the filter; empty when there are too many to list
	Vendors     []models.Vendor
	Owners      []models.User // for the filter; empty when there are too many to list
	// Base is the register's path: /risks, or /engagements/ID/risks for Scope's.
	Base  string
	Scope *models.Engagement
	// AsAt, when set, shows the register as it stood at the end of that day
	// (read-only); Since adds movement badges from that day to AsAt (or today).
	AsAt  models.Date
	Since models.Date
	// MoveCounts and Moves are the movement from Since: counts by kind, and
	// the moves of the rows shown (badges).
	MoveCounts map[string]int
	Moves      map[uint]register.RiskMove
	Rights     models.Rights
	// Markup caches the badges and heat maps (nil: rendered afresh).
	Markup *Markup
}

// ReadOnly reports the as-at view: the past cannot be edited.
func (p RisksProps) ReadOnly() bool { return !p.AsAt.IsZero() }

// title is the page's heading.
func (p RisksProps) title() string {
	if p.Scope != nil {
		return "Risk register · " + p.Scope.Code
	}
	return "Risk register"
}

func (p RisksProps) rowCtx(r models.Risk) RowCtx {
	back := p.Here
	if back == "" {
		back = p.Query.URL()
	}
	rc := RowCtx{Risk: p.Risk, Today: p.Today, CSRF: p.Chrome.CSRF, Back: back, WithEngagement: p.Scope == nil,
		Actions: p.showActions(), CanEdit: !p.ReadOnly() && p.Rights.May(r.EngagementID), Summary: true, Markup: p.Markup}
	if m, ok := p.Moves[r.ID]; ok {
		rc.Move = &m
	}
	return rc
}

func (p RisksProps) showActions() bool { return p.Rights.Editor && !p.ReadOnly() }

func (p RisksProps) exportURL(format string) string {
	q := p.Query
	q.Path = "/risks/export"
	v := url.Values{}
	for k, vs := range p.Query.Values {
		v[k] = vs
	}
	v.Del("page")
	v.Set("format", format)
	if p.Scope != nil {
		v.Set("engagement", fmt.Sprint(p.Scope.ID))
	}
	q.Values = v
	return q.URL()
}

// pageLink is the URL of page n of the register, found by seeking from the row
// id when cursor is "after" or "before" (keyset), else by its number.
func (p RisksProps) pageLink(n int, cursor string, id uint) string {
	q := p.Query
	v := url.Values{}
	for k, vs := range p.Query.Values {
		v[k] = vs
	}
	v.Del("page")
	if n > 1 {
		v.Set("page", fmt.Sprint(n))
	}
	if cursor != "" && id != 0 {
		v.Set(cursor, fmt.Sprint(id))
	}
	q.Values = v
	return q.URL()
}

// prevLink and nextLink seek from the rows shown in the live register; the
// past (as-at) is paged by number.
func (p RisksProps) prevLink() string {
	if p.Page.Page <= 2 {
		return p.pageLink(1, "", 0)
	}
	if p.ReadOnly() {
		return p.pageLink(p.Page.Page-1, "", 0)
	}
	return p.pageLink(p.Page.Page-1, "before", p.Page.FirstID())
}

func (p RisksProps) nextLink() string {
	if p.ReadOnly() || p.Page.Page+1 == p.Page.Last {
		return p.pageLink(p.Page.Page+1, "", 0)
	}
	return p.pageLink(p.Page.Page+1, "after", p.Page.LastID())
}

// rowsShown says which rows of the total the page shows.
func (p RisksProps) rowsShown() string {
	if p.Total == 0 || len(p.Rows) == 0 {
		return "No rows"
	}
	from := int64(p.Page.Page-1)*int64(p.Filter.PerPage) + 1
	to := min(from+int64(len(p.Rows))-1, p.Total)
	return fmt.Sprintf("Rows %s–%s of %s", components.Int(from), components.Int(to), components.Int(p.Total))
}

func (p RisksProps) newRiskURL() string {
	if p.Scope != nil {
		return fmt.Sprintf("/risks/new?engagement=%d", p.Scope.ID)
	}
	return "/risks/new"
}

func (p RisksProps) cellLink(kind string) func(l, i int) string {
	return func(l, i int) string {
		return p.Query.WithAll("kind", kind, "l", fmt.Sprint(l), "i", fmt.Sprint(i), "band", "")
	}
}

func engagementOptions(es []models.Engagement) []components.Option {
	out := make([]components.Option, len(es))
	for i, e := range es {
		out[i] = components.Option{Value: fmt.Sprint(e.ID), Label: e.Code + " · " + e.Name}
	}
	return out
}

func ownerOptions(us []models.User) []components.Option {
	out := make([]components.Option, len(us))
	for i, u := range us {
		out[i] = components.Option{Value: fmt.Sprint(u.ID), Label: u.Name}
	}
	return out
}

func statusOptions() []components.Option {
	out := []components.Option{{Value: "all", Label: "All, including closed"}}
	for _, s := range models.RiskStatuses {
		out = append(out, components.Option{Value: s, Label: models.HealthLabel(s)})
	}
	return out
}

func idString(id uint) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}
