package handlers

import (
	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/register"
	"portfolio/views/pages"
	"portfolio/web"
)

// caches are the handlers' parts of the app's cache (package cache): each
// cached at the data version the request read first thing, so that a write
// through any instance is seen by the next request everywhere. Each part
// names the tables its loads read; TestCachedReadsMoveTheVersion checks
// every one of them has the trigger that moves the version.
type caches struct {
	dashboard *cache.Part[string, *web.Body] // the dashboard's body, by day
	// The dashboard's figures but the risks', by day: cached through the
	// register's writes (models.LoadDashboardApartFromRisks).
	dashboardRest *cache.Part[string, *models.Dashboard]
	register      *register.Cache // the register's tallies, page ends and past orders
	bodies        *cache.Part[bodyKey, *web.Body]
	settings      *cache.Part[struct{}, models.Settings]
	choices       *cache.Part[bool, filterOptions] // the register's filter options, portfolio's (false) or an engagement's
	managed       *cache.Part[uint, map[uint]bool] // the engagements a manager manages, by user
	packs         *cache.Part[packKey, *renderedPack]
	markup        *pages.Markup // the register's badges and heat maps, rendered once
}

// dashboardReads are what the dashboard shows: the totals maintained on write
// instead of the cost records and SLA results, the engagements' health, risks,
// transfers and milestones, priced in the reporting currency, and the
// vendors' monthly spend (vendor dependency).
var dashboardReads = []string{"engagements", "engagement_totals", "cost_month_totals", "sla_month_totals",
	"risk_cells", "risks", "milestones", "readiness_items", "transfer_gates", "fx_rates", "settings", "vendors", "users",
	"contract_terms", "contract_decisions", "partnership_surveys", "survey_suggestions", "vendor_month_totals",
	"obligations", "obligation_occurrences"}

// packReads are what the quarterly review pack prints.
var packReads = []string{"engagements", "vendors", "users", "settings", "fx_rates", "cost_records", "cost_month_totals",
	"engagement_totals", "service_levels", "sla_measurements", "sla_month_totals", "risks", "risk_cells", "changes",
	"risk_snapshots", "risk_snapshot_days", "mitigation_actions", "milestones", "readiness_items", "transfer_gates",
	"phase_changes", "lessons", "governance_reviews", "review_actions", "published_packs", "engagement_managers",
	"portfolio_commentaries", "contract_terms", "contract_decisions", "partnership_surveys", "survey_suggestions",
	"obligations", "obligation_occurrences",
	"governance_meetings", "meeting_actions"}

func newCaches(c *cache.Cache) caches {
	return caches{
		dashboard:     cache.NewPart[string, *web.Body](c, "dashboard bodies", 4, dashboardReads...),
		dashboardRest: cache.NewPart[string, *models.Dashboard](c, "dashboard apart from risks", 4, models.DashboardReadsApartFromRisks...),
		register:      register.NewCache(c),
		// About a hundred register bodies, ~60 KB each.
		bodies:   cache.NewPart[bodyKey, *web.Body](c, "register bodies", 128, append(register.Reads, "settings")...),
		settings: cache.NewPart[struct{}, models.Settings](c, "settings", 1, "settings"),
		choices:  cache.NewPart[bool, filterOptions](c, "register filter options", 2, "engagements", "vendors", "users", "risks"),
		managed:  cache.NewPart[uint, map[uint]bool](c, "managers' engagements", 256, "engagement_managers", "engagements", "users"),
		// Packs rendered: their parts and repeat views cost a lookup, not a
		// build, which reads the whole portfolio. Eight, two years of quarters:
		// executives open past quarters beside the last one, and with a single
		// pack kept each of them rebuilt it for the next.
		packs:  cache.NewPart[packKey, *renderedPack](c, "review packs", 8, packReads...),
		markup: pages.NewMarkup(),
	}
}
