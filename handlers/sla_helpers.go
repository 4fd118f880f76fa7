package handlers

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/web"
)

// The helpers the service-level, milestone, readiness, transfer and lesson
// handlers share.

// deliveryWrite is who writes, when, and the settings the health refresh judges by.
func (a *App) deliveryWrite(c echo.Context) (models.Actor, error) {
	s, err := a.settings(c)
	return models.Actor{Settings: s, Today: a.today(), UserID: userID(c), At: a.Server.Now()}, err
}

// engagementFromPath loads the engagement named by the path's :id (404 when absent).
func (a *App) engagementFromPath(c echo.Context) (models.Engagement, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, err
	}
	return models.First[models.Engagement](c.Request().Context(), a.db, id, "Vendor")
}

// editableEngagementFromPath loads the path's engagement and answers 403 unless the
// user may change its records.
func (a *App) editableEngagementFromPath(c echo.Context) (models.Engagement, error) {
	e, err := a.engagementFromPath(c)
	if err != nil {
		return e, err
	}
	return e, a.authorizeEngagement(c, &e.ID)
}

// postedVersion reads the version a form was loaded with; a form without one is
// not a form this app rendered.
func postedVersion(c echo.Context) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(c.FormValue("version")))
	if err != nil || v < 0 {
		return 0, web.BadRequest("The form has no version; reload the page and try again.")
	}
	return v, nil
}

// milliField writes thousandths for a form field ("" for none).
func milliField(v int64) string { return models.FormatMilli(v) }

// exportFormatParam reads ?format= for exports (csv or xlsx; anything else is a 400 from writeExport).
func exportFormatParam(c echo.Context) string { return c.QueryParam("format") }

// exportYesNo writes a flag for exports.
func exportYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// exportMinor writes minor units as a plain decimal ("-1234.50") for exports:
// a number to spreadsheets.
func exportMinor(minor int64) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(100+minor%100, 10)[1:]
	if neg {
		s = "-" + s
	}
	return s
}

// exportMilli writes thousandths as a plain decimal for exports ("99.95", "-4").
func exportMilli(v int64) string {
	return strings.Replace(models.FormatMilli(v), "−", "-", 1)
}
