package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// fxRatesPerPage lists two years of five currencies on a page.
const fxRatesPerPage = 60

// fxRates lists the stored exchange rates and the months that lack one.
// Route: fx.index (admins); an htmx request (filter, paging) gets #fx-table.
func (a *App) fxRates(c echo.Context) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := models.FXFilter{Currency: oneOf(c.QueryParam("currency"), pages.CurrencyCodes()...), Page: pageParam(c), PerPage: fxRatesPerPage}
	rows, total, err := models.ListFXRates(ctx, a.db, f)
	if err != nil {
		return err
	}
	p := pages.FXProps{Chrome: web.Chrome(c, "Exchange rates", "fx"), Reporting: s.Finance.ReportingCurrency, Currency: f.Currency, Rows: rows,
		Query: listQuery(c, "/fx", "#fx-table", "currency"), Pages: components.Pages{Page: f.Page, PerPage: f.PerPage, Total: total}}
	if !web.IsHTMX(c) {
		if p.Missing, err = models.MissingRates(ctx, a.db, s.Finance.ReportingCurrency, 24); err != nil {
			return err
		}
	}
	return web.Render(c, http.StatusOK, pages.FXRates(p), pages.FXTable(p))
}

func (a *App) fxFormProps(c echo.Context, current *models.FXRate, v pages.FXValues) (pages.FXFormProps, error) {
	s, err := a.settings(c)
	if err != nil {
		return pages.FXFormProps{}, err
	}
	p := pages.FXFormProps{Chrome: web.Chrome(c, "Exchange rate", "fx"), Reporting: s.Finance.ReportingCurrency, Current: current, V: v, Errors: map[string]string{}}
	if current != nil {
		if p.History, err = models.HistoryOf(c.Request().Context(), a.db, "fx_rate", current.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

func renderFXForm(c echo.Context, status int, p pages.FXFormProps) error {
	return web.Render(c, status, pages.FXForm(p), pages.FXFormPanel(p))
}

// newFXRate shows the form for a rate (?currency= and ?month= preselect it). Route: fx.new.
func (a *App) newFXRate(c echo.Context) error {
	v := pages.FXValues{Currency: c.QueryParam("currency"), Month: c.QueryParam("month")}
	p, err := a.fxFormProps(c, nil, v)
	if err != nil {
		return err
	}
	return renderFXForm(c, http.StatusOK, p)
}

// editFXRate shows a stored rate's form with its history. Route: fx.edit.
func (a *App) editFXRate(c echo.Context) error {
	r, err := a.loadFXRate(c)
	if err != nil {
		return err
	}
	p, err := a.fxFormProps(c, &r, fxValues(r))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(fxValues(r))
	return renderFXForm(c, http.StatusOK, p)
}

// fxValues writes a stored rate into its form's values.
func fxValues(r models.FXRate) pages.FXValues {
	return pages.FXValues{Currency: r.Currency, Month: r.Month.Format("2006-01"), Rate: r.Rate, Expected: r.Rate}
}

func readFXForm(c echo.Context) pages.FXValues {
	return pages.FXValues{Currency: c.FormValue("currency"), Month: c.FormValue("month"), Rate: c.FormValue("rate"), Expected: c.FormValue("expected"),
		Reporting: c.FormValue("reporting")}
}

// fxFromValues parses a rate form; an edit (current set) changes the rate only.
func (a *App) fxFromValues(c echo.Context, v pages.FXValues, current *models.FXRate) (models.FXRate, web.Checker, error) {
	s, err := a.settings(c)
	if err != nil {
		return models.FXRate{}, nil, err
	}
	ch := web.Checker{}
	in := models.FXRate{Currency: ch.OneOf("currency", v.Currency, pages.CurrencyCodes())}
	if in.Currency == s.Finance.ReportingCurrency {
		ch.Add("currency", "This is the reporting currency: it needs no rate.")
	}
	in.Month = parseMonth(ch, "month", v.Month, a.today().AddDays(366)) // rates may be set ahead, up to a year
	if rate, err := models.ParseRate(v.Rate); err != nil {
		ch.Add("rate", web.Sentence(err.Error()))
	} else {
		in.Rate = rate
	}
	if current != nil {
		in.Currency, in.Month = current.Currency, current.Month
		delete(ch, "currency")
		delete(ch, "month")
	}
	if v.Reporting != "" && v.Reporting != s.Finance.ReportingCurrency {
		ch.Add("rate", "The reporting currency changed from "+v.Reporting+" to "+s.Finance.ReportingCurrency+
			" after this form was opened, and a rate is in the reporting currency: check this one is in "+s.Finance.ReportingCurrency+", then save again.")
	}
	return in, ch, nil
}

// fxSaved answers a saved rate: its flash and the list of its currency.
func (a *App) fxSaved(c echo.Context, saved models.FXRate, merged string) error {
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	msg := web.Merged("Rate of "+saved.Currency+" for "+saved.Month.Format("January 2006")+" saved: "+saved.Rate+" "+s.Finance.ReportingCurrency+".", merged)
	web.AddFlash(c, "success", msg)
	return web.Redirect(c, "/fx?currency="+saved.Currency)
}

func (a *App) loadFXRate(c echo.Context) (models.FXRate, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.FXRate{}, err
	}
	return models.First[models.FXRate](c.Request().Context(), a.db, id)
}

// createFXRate stores a month's rate. Route: fx.create. The cycle of every
// create form (web.SaveNew): invalid → 422 with the input kept (#fx-form for
// htmx); success → 303 to the list. A month that has its rate already is
// refused with 409 and a link to edit that rate, the stored rate unchanged
// (as a recorded month of costs is): the one case outside the cycle, a record
// that exists rather than a field to correct.
func (a *App) createFXRate(c echo.Context) error {
	var saved models.FXRate
	mine := readFXForm(c)
	var recorded *models.MonthRecordedError
	render := func(status int, st web.EditState[pages.FXValues]) error {
		p, err := a.fxFormProps(c, nil, st.Values)
		if err != nil {
			return err
		}
		p.Errors = st.Errors
		if recorded != nil {
			p.Recorded = &pages.RecordedMonth{Label: mine.Currency + " " + recorded.Month.Format("January 2006"), EditURL: fmt.Sprintf("/fx/%d/edit", recorded.ID)}
		}
		return renderFXForm(c, status, p)
	}
	err := web.SaveNew(c, mine, web.EditForm[pages.FXValues]{
		Save: func(v pages.FXValues, _ int) (map[string]string, error) {
			in, ch, err := a.fxFromValues(c, v, nil)
			if err != nil || !ch.OK() {
				return ch, err
			}
			saved, err = models.SaveFXRate(c.Request().Context(), a.db, in, "", userID(c))
			return nil, err
		},
		Render: render,
		Saved:  func(string) error { return a.fxSaved(c, saved, "") },
	})
	if errors.As(err, &recorded) {
		return render(http.StatusConflict, web.EditState[pages.FXValues]{Values: mine})
	}
	return err
}

// updateFXRate changes a stored rate. Route: fx.update. The cycle of every
// edit form (web.SaveEdit): invalid → 422; a form rendered before someone else
// saved the rate is merged (the rate is its one field: a save that leaves it
// as shown keeps theirs), the flash naming whose change; where both changed
// the rate, 409 with both values; success → 303 to the list (#fx-form for
// htmx on 422 and 409).
func (a *App) updateFXRate(c echo.Context) error {
	cur, err := a.loadFXRate(c)
	if err != nil {
		return err
	}
	mine := readFXForm(c)
	if rate, err := models.ParseRate(mine.Rate); err == nil {
		mine.Rate = rate // "1.130" is the stored 1.13, not a change
	}
	// Rates have no version column: the rate the form was loaded with
	// (expected) stands in for one. The form counts as current while the rate
	// is still that one, and as rendered before someone else's save once it is
	// not; SaveFXRate's own check (the rate still as loaded) catches a save
	// in between, which SaveEdit then merges again.
	expected := strings.TrimSpace(mine.Expected)
	if rate, err := models.ParseRate(expected); err == nil {
		expected = rate
	}
	var saved models.FXRate
	return web.SaveEdit(c, mine, "1", web.EditForm[pages.FXValues]{
		Load: func() (pages.FXValues, int, error) {
			var err error
			if cur, err = a.loadFXRate(c); err != nil {
				return pages.FXValues{}, 0, err
			}
			if expected != "" && cur.Rate == expected {
				return fxValues(cur), 1, nil
			}
			return fxValues(cur), 0, nil
		},
		Save: func(v pages.FXValues, _ int) (map[string]string, error) {
			in, ch, err := a.fxFromValues(c, v, &cur)
			if err != nil || !ch.OK() {
				return ch, err
			}
			saved, err = models.SaveFXRate(c.Request().Context(), a.db, in, cur.Rate, userID(c))
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.FXValues]) error {
			v := st.Values
			v.Expected = cur.Rate // saving this form again is a save against the rate as it is now
			p, err := a.fxFormProps(c, &cur, v)
			if err != nil {
				return err
			}
			p.Shown = st.Shown
			if st.Errors != nil {
				p.Errors = st.Errors
			}
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy = true, st.ConflictBy
				for _, f := range st.Conflicts {
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return renderFXForm(c, status, p)
		},
		Saved:      func(merged string) error { return a.fxSaved(c, saved, merged) },
		LastChange: func() (string, string) { return a.lastChange(c, "fx_rate", cur.ID) },
	})
}

// saveFXRate stores a rate: route fx.create adds one (createFXRate), fx.update
// changes one (updateFXRate).
func (a *App) saveFXRate(c echo.Context) error {
	if c.Param("id") == "" {
		return a.createFXRate(c)
	}
	return a.updateFXRate(c)
}
