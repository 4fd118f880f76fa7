package handlers

import (
	"fmt"
	"net/http"
	"strings"

	ics "github.com/arran4/golang-ical"
	"github.com/labstack/echo/v4"

	"portfolio/models/remind"
	"portfolio/web"
)

// kindLabels head each calendar event ("Risk review: R-ITO-01-03 …").
var kindLabels = map[string]string{
	remind.KindRiskReview: "Risk review", remind.KindAcceptance: "Acceptance expires",
	remind.KindMilestone: "Milestone", remind.KindTransfer: "BOT transfer", remind.KindContract: "Contract ends", remind.KindNotice: "Last day to give notice",
}

// calendarFeed serves a user's private calendar (RFC 5545) at the address
// holding their feed's secret, for Outlook or Google Calendar to subscribe
// to: one all-day event per risk review, acceptance expiry, open milestone
// and planned transfer of theirs (remind.Calendar). An unknown or revoked
// secret, or a disabled user, is 404. Route: calendar.feed (no session:
// a calendar cannot sign in; the secret is the key).
func (a *App) calendarFeed(c echo.Context) error {
	ctx := c.Request().Context()
	u, ok, err := remind.FeedOwner(ctx, a.db, strings.TrimSuffix(c.Param("token"), ".ics"))
	if err != nil {
		return err
	}
	if !ok {
		return web.ErrNotFound
	}
	s, err := a.settings(c)
	if err != nil {
		return err
	}
	items, err := remind.Calendar(ctx, a.db, s, u.ID, a.today())
	if err != nil {
		return err
	}
	base := a.baseURL(c)
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Portfolio//Outsourcing portfolio//EN")
	cal.SetName("Portfolio: " + u.Name)
	cal.SetXWRCalName("Portfolio: " + u.Name)
	cal.SetDescription("Risk reviews, acceptance expiries, milestones, BOT transfers and contract ends of " + u.Name)
	cal.SetRefreshInterval("PT4H")
	cal.SetXPublishedTTL("PT4H")
	stamp := a.Now().UTC()
	for _, it := range items {
		ev := cal.AddEvent(fmt.Sprintf("%s-%d@portfolio", it.Kind, it.Ref))
		ev.SetDtStampTime(stamp)
		ev.SetAllDayStartAt(it.On.Time)
		ev.SetAllDayEndAt(it.On.AddDays(1).Time)
		ev.SetSummary(kindLabels[it.Kind] + ": " + it.Title)
		ev.SetDescription(it.What + "\n" + base + it.Link)
		ev.SetURL(base + it.Link)
		ev.SetClass(ics.ClassificationPrivate)
		ev.SetTimeTransparency(ics.TransparencyTransparent)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(cal.Serialize()))
}

// accountCalendarNew gives the user a new calendar address, ending the old
// one, and shows it once (only its hash is kept). Route: account.calendar.
func (a *App) accountCalendarNew(c echo.Context) error {
	u := web.CurrentUser(c)
	token, err := remind.NewFeed(c.Request().Context(), a.db, u.ID, a.Now())
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your calendar address (copy it now: it is shown this once): "+
		a.baseURL(c)+"/calendar/"+token+".ics")
	return web.Redirect(c, "/account#calendar")
}

// accountCalendarRevoke ends the user's calendar address: it answers 404
// from now on. Route: account.calendar.revoke.
func (a *App) accountCalendarRevoke(c echo.Context) error {
	u := web.CurrentUser(c)
	if err := remind.RevokeFeed(c.Request().Context(), a.db, u.ID, a.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your calendar address is revoked: calendars subscribed to it get nothing more.")
	return web.Redirect(c, "/account#calendar")
}
