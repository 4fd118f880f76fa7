package handlers

import (
	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/web"
)

// canEdit reports whether the signed-in user may change the records of an
// engagement: admins always, managers only for engagements they manage.
// A nil engagement means a portfolio-wide record, which only admins change.
func (a *App) canEdit(c echo.Context, engagementID *uint) (bool, error) {
	u := web.CurrentUser(c)
	switch {
	case u == nil:
		return false, nil
	case u.Role == models.RoleAdmin:
		return true, nil
	case u.Role != models.RoleManager || engagementID == nil:
		return false, nil
	}
	return models.ManagesEngagement(c.Request().Context(), a.db, u.ID, *engagementID)
}

// authorizeEngagement answers 403 unless the user may edit the engagement's records.
func (a *App) authorizeEngagement(c echo.Context, engagementID *uint) error {
	ok, err := a.canEdit(c, engagementID)
	if err != nil {
		return err
	}
	if !ok {
		if engagementID == nil {
			return web.Forbidden("Only administrators change portfolio-wide records.")
		}
		return web.Forbidden("You can change only the engagements you manage.")
	}
	return nil
}

// userID is the signed-in user's id, for history rows.
func userID(c echo.Context) *uint {
	if u := web.CurrentUser(c); u != nil {
		id := u.ID
		return &id
	}
	return nil
}

// pathRecord loads the record of the path's :id and the engagement it belongs
// to, and answers 403 unless the user may change that engagement's records.
func pathRecord[T any](a *App, c echo.Context, engagementOf func(*T) uint) (T, models.Engagement, error) {
	var r T
	var e models.Engagement
	id, err := idParam(c, "id")
	if err != nil {
		return r, e, err
	}
	ctx := c.Request().Context()
	if r, err = models.First[T](ctx, a.db, id); err != nil {
		return r, e, err
	}
	if e, err = models.EngagementByID(ctx, a.db, engagementOf(&r)); err != nil {
		return r, e, err
	}
	return r, e, a.authorizeEngagement(c, &e.ID)
}

// lastChange says who last changed a record and when: "Ann Lee at 10:42 on
// 7 Dec 2026" ("someone else" when it cannot be told), for a page that
// reports a merge with, or a conflict with, their change.
func (a *App) lastChange(c echo.Context, entity string, id uint) (who, when string) {
	return whoAndWhen(models.LatestChange(c.Request().Context(), a.db, entity, id))
}

// whoAndWhen names a change's author and moment as lastChange says them.
func whoAndWhen(ch models.Change, ok bool, err error) (who, when string) {
	if err != nil || !ok {
		return "Someone else", ""
	}
	who = "Someone else"
	if ch.User != nil {
		who = ch.User.Name
	}
	return who, ch.At.UTC().Format("15:04") + " on " + models.DateOf(ch.At).Human()
}

// mergeNoteOf ends the message of a save merged with the record's latest
// change (web.MergeNote), read before the save.
func (a *App) mergeNoteOf(c echo.Context, entity string, id uint) string {
	return web.MergeNote(a.lastChange(c, entity, id))
}

// lastChangeAmong is lastChange for a set of records (a month's results):
// the newest change of any of them.
func (a *App) lastChangeAmong(c echo.Context, entity string, ids []uint) (who, when string) {
	return whoAndWhen(models.LatestChangeAmong(c.Request().Context(), a.db, entity, ids))
}
