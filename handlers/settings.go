package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"portfolio/models"
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

// settingsFromForm reads the posted form as typed and parses it.
func settingsFromForm(c echo.Context) (pages.RiskSettingsValues, models.RiskSettings, map[string]string) {
	v := pages.RiskSettingsValues{LowMax: c.FormValue("low_max"), MediumMax: c.FormValue("medium_max"),
		HighMax: c.FormValue("high_max"), Appetite: c.FormValue("appetite"), Cadence: map[string]string{}}
	ck := web.Checker{}
	s := models.RiskSettings{
		LowMax: ck.Int("low_max", v.LowMax, 1, 24), MediumMax: ck.Int("medium_max", v.MediumMax, 1, 24),
		HighMax: ck.Int("high_max", v.HighMax, 1, 24), Appetite: ck.Int("appetite", v.Appetite, 1, 25),
		Cadence: map[string]int{},
	}
	for _, b := range models.Bands {
		v.Cadence[b] = c.FormValue("cadence_" + b)
		s.Cadence[b] = ck.Int("cadence_"+b, v.Cadence[b], 1, 730)
	}
	for i := range 5 {
		for _, kind := range []string{"likelihood", "impact"} {
			name := fmt.Sprintf("%s_%d", kind, i+1)
			lv := pages.LevelValues{Label: c.FormValue(name + "_label"), Definition: c.FormValue(name + "_definition")}
			l := models.Level{Label: ck.Text(name, lv.Label, true, 40), Definition: ck.Text(name+"_definition", lv.Definition, false, 200)}
			if strings.ContainsAny(l.Definition, "\r\n") || utf8.RuneCountInString(l.Definition) > 200 {
				ck.Add(name+"_definition", "One line of at most 200 characters.")
			}
			if kind == "likelihood" {
				v.Likelihood[i], s.Likelihood[i] = lv, l
			} else {
				v.Impact[i], s.Impact[i] = lv, l
			}
		}
	}
	if ck.OK() {
		for k, msg := range s.Validate() {
			ck.Add(k, msg)
		}
	}
	return v, s, ck
}

func (a *App) settingsProps(c echo.Context, v pages.RiskSettingsValues, errs map[string]string) (pages.SettingsProps, error) {
	s, err := a.settings(c)
	if err != nil {
		return pages.SettingsProps{}, err
	}
	p := pages.SettingsProps{Chrome: web.Chrome(c, "Settings", "settings"), V: v, Errors: errs, Current: s.Risk}
	if v.Cadence == nil {
		p.V = settingsValues(s.Risk)
	}
	last, ok, err := models.LatestSettingChange(c.Request().Context(), a.db, "risk")
	if ok {
		p.LastChange = &last
	}
	return p, err
}

// settingsForm shows the risk scoring settings. Route: settings.edit (admins).
func (a *App) settingsForm(c echo.Context) error {
	p, err := a.settingsProps(c, pages.RiskSettingsValues{}, nil)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.Settings(p), nil)
}

// saveSettings stores the risk scoring settings (recorded in the history) and
// refreshes every engagement's health, which bands and appetite decide. Stored
// scores and history are untouched. Route: settings.update (admins). The cycle
// of every form, on web.SaveNew: the settings have no version and the form no
// shown values (a save replaces them whole), so there is nothing to merge;
// invalid → 422 with the form as typed; success → flash and 303.
func (a *App) saveSettings(c echo.Context) error {
	v, rs, errs := settingsFromForm(c) // read and checked together: the values, the settings they make, the errors
	return web.SaveNew(c, v, web.EditForm[pages.RiskSettingsValues]{
		Save: func(pages.RiskSettingsValues, int) (map[string]string, error) {
			if len(errs) > 0 {
				return errs, nil
			}
			ctx := c.Request().Context()
			if err := models.SaveSetting(ctx, a.db, "risk", rs, *userID(c)); err != nil {
				return nil, err
			}
			s, err := a.settings(c)
			if err != nil {
				return nil, err
			}
			return nil, models.RefreshHealth(ctx, a.db, s, a.today())
		},
		Render: func(status int, st web.EditState[pages.RiskSettingsValues]) error {
			p, err := a.settingsProps(c, st.Values, st.Errors)
			if err != nil {
				return err
			}
			return web.Render(c, status, pages.Settings(p), nil)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Settings saved. Bands, appetite and review cadence apply from now on every page; recorded scores and history are unchanged.")
			return web.Redirect(c, "/settings")
		},
	})
}
