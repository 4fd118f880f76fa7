package handlers

import (
	"errors"
	"net/http"

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
	p, err := a.fxFormProps(c, &r, pages.FXValues{Currency: r.Currency, Month: r.Month.Format("2006-01"), Rate: r.Rate, Expected: r.Rate})
	if err != nil {
		return err
	}
	return renderFXForm(c, http.StatusOK, p)
}

func (a *App) loadFXRate(c echo.Context) (models.FXRate, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.FXRate{}, err
	}
	return models.First[models.FXRate](c.Request().Context(), a.db, id)
}

// saveFXRate stores a rate: route fx.create adds one (a month that has a rate
// is updated), fx.update changes one. Success redirects to the list; 422 for
// invalid input, 409 when the rate changed since the form was loaded, both with
// the input kept (#fx-form for htmx).
func (a *App) saveFXRate(c echo.Context) error {
	var current *models.FXRate
	if c.Param("id") != "" {
		r, err := a.loadFXRate(c)
		if err != nil {
			return err
		}
		current = &r
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	v := pages.FXValues{Currency: c.FormValue("currency"), Month: c.FormValue("month"), Rate: c.FormValue("rate"), Expected: c.FormValue("expected")}
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
		in.Currency, in.Month = current.Currency, current.Month // an edit changes the rate only
		delete(ch, "currency")
		delete(ch, "month")
	}
	status := http.StatusUnprocessableEntity
	var conflict []components.ConflictRow
	if ch.OK() {
		saved, err := models.SaveFXRate(c.Request().Context(), a.db, in, v.Expected, userID(c))
		switch {
		case err == nil:
			web.AddFlash(c, "success", "Rate of "+saved.Currency+" for "+saved.Month.Format("January 2006")+" saved: "+saved.Rate+" "+s.Finance.ReportingCurrency+".")
			return web.Redirect(c, "/fx?currency="+saved.Currency)
		case errors.Is(err, models.ErrStale):
			status = http.StatusConflict
			now, _, err := a.fxNow(c, in)
			if err != nil {
				return err
			}
			conflict = components.Differ(components.ConflictRow{Label: "Rate", Yours: v.Rate, Current: now.Rate})
			v.Expected = now.Rate
			if now.ID != 0 {
				current = &now
			}
		default:
			return err
		}
	}
	p, err := a.fxFormProps(c, current, v)
	if err != nil {
		return err
	}
	p.Errors, p.Stale, p.Conflict = ch, status == http.StatusConflict, conflict
	return renderFXForm(c, status, p)
}

// fxNow reads the stored rate of a currency and month.
func (a *App) fxNow(c echo.Context, in models.FXRate) (models.FXRate, bool, error) {
	return models.FXRateOf(c.Request().Context(), a.db, in.Currency, in.Month)
}
