package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// settingsValues writes the stored risk settings into the form's raw values.
func settingsValues(s models.RiskSettings) pages.RiskSettingsValues {
	v := pages.RiskSettingsValues{LowMax: strconv.Itoa(s.LowMax), MediumMax: strconv.Itoa(s.MediumMax),
		HighMax: strconv.Itoa(s.HighMax), Appetite: strconv.Itoa(s.Appetite), Cadence: map[string]string{}}
	for _, b := range models.Bands {
		v.Cadence[b] = strconv.Itoa(s.ReviewDays(bandScore(s, b)))
		if d, ok := s.Cadence[b]; ok {
			v.Cadence[b] = strconv.Itoa(d)
		}
	}
	for i := range 5 {
		v.Likelihood[i] = pages.LevelValues{Label: s.Likelihood[i].Label, Definition: s.Likelihood[i].Definition}
		v.Impact[i] = pages.LevelValues{Label: s.Impact[i].Label, Definition: s.Impact[i].Definition}
	}
	return v
}

// bandScore is a score inside band b (for a cadence lookup).
func bandScore(s models.RiskSettings, b string) int {
	lo, _, _ := s.BandRange(b)
	return lo
}

// riskForm reads the posted risk settings form as typed.
func riskForm(c echo.Context) map[string]string {
	m := map[string]string{}
	for k := range riskFields(pages.RiskSettingsValues{}) {
		m[k] = c.FormValue(k)
	}
	return m
}

// riskSettingsOf parses the risk settings form's values.
func riskSettingsOf(v pages.RiskSettingsValues) (models.RiskSettings, map[string]string) {
	ck := web.Checker{}
	s := models.RiskSettings{
		LowMax: ck.Int("low_max", v.LowMax, 1, 24), MediumMax: ck.Int("medium_max", v.MediumMax, 1, 24),
		HighMax: ck.Int("high_max", v.HighMax, 1, 24), Appetite: ck.Int("appetite", v.Appetite, 1, 25),
		Cadence: map[string]int{},
	}
	for _, b := range models.Bands {
		s.Cadence[b] = ck.Int("cadence_"+b, v.Cadence[b], 1, 730)
	}
	for i := range 5 {
		for _, kind := range []string{"likelihood", "impact"} {
			name := fmt.Sprintf("%s_%d", kind, i+1)
			lv := v.Likelihood[i]
			if kind == "impact" {
				lv = v.Impact[i]
			}
			l := models.Level{Label: ck.Text(name, lv.Label, true, 40), Definition: ck.Text(name+"_definition", lv.Definition, false, 200)}
			if strings.ContainsAny(l.Definition, "\r\n") || utf8.RuneCountInString(l.Definition) > 200 {
				ck.Add(name+"_definition", "One line of at most 200 characters.")
			}
			if kind == "likelihood" {
				s.Likelihood[i] = l
			} else {
				s.Impact[i] = l
			}
		}
	}
	if ck.OK() {
		for k, msg := range s.Validate() {
			ck.Add(k, msg)
		}
	}
	return s, ck
}

// riskFields are the risk form's values as one map of input name to value,
// the shape web.MergeStale merges field by field.
func riskFields(v pages.RiskSettingsValues) map[string]string {
	m := map[string]string{"low_max": v.LowMax, "medium_max": v.MediumMax, "high_max": v.HighMax, "appetite": v.Appetite}
	for _, b := range models.Bands {
		m["cadence_"+b] = v.Cadence[b]
	}
	for i := range 5 {
		for kind, lv := range map[string]pages.LevelValues{"likelihood": v.Likelihood[i], "impact": v.Impact[i]} {
			name := fmt.Sprintf("%s_%d", kind, i+1)
			m[name+"_label"], m[name+"_definition"] = lv.Label, lv.Definition
		}
	}
	return m
}

// riskSettingsValuesOf is riskFields turned back.
func riskSettingsValuesOf(m map[string]string) pages.RiskSettingsValues {
	v := pages.RiskSettingsValues{LowMax: m["low_max"], MediumMax: m["medium_max"], HighMax: m["high_max"], Appetite: m["appetite"], Cadence: map[string]string{}}
	for _, b := range models.Bands {
		v.Cadence[b] = m["cadence_"+b]
	}
	for i := range 5 {
		v.Likelihood[i] = pages.LevelValues{Label: m[fmt.Sprintf("likelihood_%d_label", i+1)], Definition: m[fmt.Sprintf("likelihood_%d_definition", i+1)]}
		v.Impact[i] = pages.LevelValues{Label: m[fmt.Sprintf("impact_%d_label", i+1)], Definition: m[fmt.Sprintf("impact_%d_definition", i+1)]}
	}
	return v
}

// riskFieldLabel names a risk settings input as its form does ("Low: scores up to").
func riskFieldLabel(name string) string {
	switch name {
	case "low_max":
		return "Low: scores up to"
	case "medium_max":
		return "Medium: scores up to"
	case "high_max":
		return "High: scores up to"
	case "appetite":
		return "Appetite"
	}
	if b, ok := strings.CutPrefix(name, "cadence_"); ok {
		return "Review cadence, " + b
	}
	kind, rest, _ := strings.Cut(name, "_")
	n, part, _ := strings.Cut(rest, "_")
	return strings.ToUpper(kind[:1]) + kind[1:] + " level " + n + " " + part
}

// conflictRows are a 409's fields as the conflict box lists them.
func conflictRows(cs []web.ConflictField, label func(string) string) []components.ConflictRow {
	rows := make([]components.ConflictRow, len(cs))
	for i, f := range cs {
		rows[i] = components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored}
		if label != nil {
			rows[i].Label = label(f.Name)
		}
	}
	return rows
}

// financeValues writes the stored finance settings into their form's values.
func financeValues(f models.FinanceSettings, version int) pages.FinanceValues {
	return pages.FinanceValues{ReportingCurrency: f.ReportingCurrency, FiscalStartMonth: strconv.Itoa(f.FiscalStartMonth), Version: strconv.Itoa(version)}
}

// settingsPage is what the settings page is rendered with: the stored
// settings, each form's values (as stored, or as posted when one is shown
// again) and the history of changes.
type settingsPage struct {
	risk    *web.EditState[map[string]string] // nil: the risk form as stored
	finance *web.EditState[pages.FinanceValues]
}

func (a *App) settingsProps(c echo.Context, sp settingsPage) (pages.SettingsProps, error) {
	ctx := c.Request().Context()
	s, versions, err := models.LoadSettingsVersions(ctx, a.db)
	if err != nil {
		return pages.SettingsProps{}, err
	}
	rv, fv := versions["risk"], versions["finance"]
	p := pages.SettingsProps{Chrome: web.Chrome(c, "Settings", "settings"), Current: s.Risk, CurrentFinance: s.Finance,
		V: settingsValues(s.Risk), RiskVersion: strconv.Itoa(rv), RiskShown: web.EncodeShown(riskFields(settingsValues(s.Risk))),
		Finance: financeValues(s.Finance, fv)}
	p.FinanceShown = web.EncodeShown(p.Finance)
	if st := sp.risk; st != nil {
		p.V, p.Errors, p.RiskVersion, p.RiskShown = riskSettingsValuesOf(st.Values), st.Errors, strconv.Itoa(st.Version), st.Shown
		p.RiskConflict, p.RiskConflictBy = conflictRows(st.Conflicts, riskFieldLabel), st.ConflictBy
	}
	if st := sp.finance; st != nil {
		p.Finance, p.FinanceErrors, p.FinanceShown = st.Values, st.Errors, st.Shown
		p.Finance.Version = strconv.Itoa(st.Version)
		p.FinanceConflict, p.FinanceConflictBy = conflictRows(st.Conflicts, nil), st.ConflictBy
	}
	if p.History, err = models.SettingHistory(ctx, a.db, 10); err != nil {
		return p, err
	}
	return p, nil
}

// settingsForm shows the risk scoring and reporting settings and their
// history. Route: settings.edit (admins).
func (a *App) settingsForm(c echo.Context) error {
	p, err := a.settingsProps(c, settingsPage{})
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Settings(p), nil)
}

// lastSettingChange names who last changed settings value key, and when.
func (a *App) lastSettingChange(c echo.Context, key string) (who, when string) {
	return whoAndWhen(models.LatestSettingChange(c.Request().Context(), a.db, key))
}

// saveSettings stores the risk scoring settings (recorded in the history) and
// refreshes every engagement's health, which bands and appetite decide. Stored
// scores and history are untouched. Route: settings.update (admins). The cycle
// of every edit form: a form shown before someone else's save is merged per
// field (409 listing only the fields both changed); invalid → 422 with the
// form as typed; success → flash and 303.
func (a *App) saveSettings(c echo.Context) error {
	ctx := c.Request().Context()
	return web.SaveEdit(c, riskForm(c), c.FormValue("version"), web.EditForm[map[string]string]{
		Load: func() (map[string]string, int, error) {
			s, versions, err := models.LoadSettingsVersions(ctx, a.db)
			return riskFields(settingsValues(s.Risk)), versions["risk"], err
		},
		Save: func(m map[string]string, version int) (map[string]string, error) {
			rs, errs := riskSettingsOf(riskSettingsValuesOf(m))
			if len(errs) > 0 {
				return errs, nil
			}
			if err := models.SaveSetting(ctx, a.db, "risk", rs, version, *userID(c)); err != nil {
				return nil, err
			}
			s, err := a.settings(c)
			if err != nil {
				return nil, err
			}
			return nil, models.RefreshHealth(ctx, a.db, s, a.today())
		},
		Render: func(status int, st web.EditState[map[string]string]) error {
			p, err := a.settingsProps(c, settingsPage{risk: &st})
			if err != nil {
				return err
			}
			return web.Render(c, status, pages.Settings(p), nil)
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged("Settings saved. Bands, appetite and review cadence apply from now on every page; recorded scores and history are unchanged.", merged))
			return web.Redirect(c, "/settings")
		},
		LastChange: func() (string, string) { return a.lastSettingChange(c, "risk") },
	})
}

// saveFinanceSettings stores the reporting currency and the fiscal year's
// first month. They apply to every live figure at once (health refreshed
// here); a new currency restates the stored exchange rates in it; published
// packs keep their own figures. Route: settings.finance.update (admins).
func (a *App) saveFinanceSettings(c echo.Context) error {
	ctx := c.Request().Context()
	var mine pages.FinanceValues
	web.ReadForm(c, &mine)
	return web.SaveEdit(c, mine, c.FormValue("version"), web.EditForm[pages.FinanceValues]{
		Load: func() (pages.FinanceValues, int, error) {
			s, versions, err := models.LoadSettingsVersions(ctx, a.db)
			return financeValues(s.Finance, versions["finance"]), versions["finance"], err
		},
		Save: func(v pages.FinanceValues, version int) (map[string]string, error) {
			ck := web.Checker{}
			f := models.FinanceSettings{ReportingCurrency: ck.OneOf("reporting_currency", v.ReportingCurrency, pages.CurrencyCodes()),
				FiscalStartMonth: ck.Int("fiscal_start_month", v.FiscalStartMonth, 1, 12)}
			if !ck.OK() {
				return ck, nil
			}
			if err := models.SaveFinanceSettings(ctx, a.db, f, version, *userID(c)); err != nil {
				return nil, err
			}
			s, err := a.settings(c)
			if err != nil {
				return nil, err
			}
			return nil, models.RefreshHealth(ctx, a.db, s, a.today())
		},
		Render: func(status int, st web.EditState[pages.FinanceValues]) error {
			p, err := a.settingsProps(c, settingsPage{finance: &st})
			if err != nil {
				return err
			}
			return web.Render(c, status, pages.Settings(p), nil)
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged("Reporting settings saved. Every live figure now uses them; published review packs keep their own.", merged))
			return web.Redirect(c, "/settings")
		},
		LastChange: func() (string, string) { return a.lastSettingChange(c, "finance") },
	})
}
