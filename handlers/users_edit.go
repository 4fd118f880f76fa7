package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// userShow is an account's admin page: details and role, password reset,
// disable/enable, engagements managed and history. Route: users.show.
func (a *App) userShow(c echo.Context) error {
	u, err := a.loadUserParam(c)
	if err != nil {
		return err
	}
	return a.renderUserPage(c, http.StatusOK, pages.UserPageProps{U: u, Details: pages.UserValuesOf(u)})
}

// renderUserPage fills in what every state of the page shows and renders it.
func (a *App) renderUserPage(c echo.Context, status int, p pages.UserPageProps) error {
	ctx := c.Request().Context()
	var err error
	if p.Manages, err = models.ManagedEngagements(ctx, a.db, p.U.ID); err != nil {
		return err
	}
	if p.History, err = models.History(a.db.WithContext(ctx), "user", p.U.ID); err != nil {
		return err
	}
	if p.Orig == (pages.UserValues{}) {
		p.Orig = pages.UserValuesOf(p.U)
	}
	p.Self = p.U.ID == web.CurrentUser(c).ID
	p.Chrome = web.Chrome(c, p.U.Name, "users")
	return web.Render(c, status, pages.UserPage(p), nil)
}

// userUpdate saves name, email and role. The form carries the values it was
// loaded with: when someone saved the account meanwhile → 409 showing both.
// Demoting the last active admin → 422. Route: users.update.
func (a *App) userUpdate(c echo.Context) error {
	u, err := a.loadUserParam(c)
	if err != nil {
		return err
	}
	f := readUserForm(c)
	orig := pages.UserValues{Name: c.FormValue("orig_name"), Email: c.FormValue("orig_email"), Role: c.FormValue("orig_role")}
	p := pages.UserPageProps{U: u, Details: f.UserValues, Orig: orig}
	errs := f.Validate(false)
	if !errs.OK() {
		p.DetailsErrors = errs
		return a.renderUserPage(c, http.StatusUnprocessableEntity, p)
	}
	// Compare against what the form was loaded with, not what is stored now,
	// so that a change made meanwhile is detected rather than overwritten.
	old := u
	if orig != (pages.UserValues{}) {
		old.Name, old.Email, old.Role = orig.Name, orig.Email, orig.Role
	}
	next := f.user()
	err = models.UpdateUser(c.Request().Context(), a.db, old, next, userID(c), a.Now())
	switch {
	case errors.Is(err, models.ErrStale):
		p.Conflict, p.Orig = &u, pages.UserValuesOf(u) // saving again now means "mine over theirs"
		return a.renderUserPage(c, http.StatusConflict, p)
	case errors.Is(err, models.ErrLastAdmin):
		p.DetailsErrors = map[string]string{"role": "This is the last active administrator: make someone else an admin first."}
		return a.renderUserPage(c, http.StatusUnprocessableEntity, p)
	case errors.Is(err, models.ErrEmailTaken):
		p.DetailsErrors = map[string]string{"email": "Another account has this email."}
		return a.renderUserPage(c, http.StatusUnprocessableEntity, p)
	case err != nil:
		return err
	}
	if old.Role != next.Role {
		a.Log().Info("user role changed", "user_id", u.ID, "from", old.Role, "to", next.Role, "by", web.CurrentUser(c).ID)
	}
	web.AddFlash(c, "success", fmt.Sprintf("Saved %s (%s).", next.Name, next.Role))
	if u.ID == web.CurrentUser(c).ID && next.Role != models.RoleAdmin {
		return c.Redirect(http.StatusSeeOther, "/") // they may no longer open the users pages
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
}

// userPassword sets a new password for the account and signs it out everywhere
// (an admin resetting their own password stays signed in here). Route: users.password.
func (a *App) userPassword(c echo.Context) error {
	u, err := a.loadUserParam(c)
	if err != nil {
		return err
	}
	pw, confirm := c.FormValue("password"), c.FormValue("confirm")
	errs := web.Checker{}
	checkNewPassword(errs, pw, confirm, u.Email)
	if !errs.OK() {
		return a.renderUserPage(c, http.StatusUnprocessableEntity, pages.UserPageProps{U: u, Details: pages.UserValuesOf(u), PasswordErrors: errs})
	}
	if err := models.SetPassword(c.Request().Context(), a.db, &u, pw, userID(c), a.Now()); err != nil {
		return err
	}
	a.Log().Info("password reset", "user_id", u.ID, "by", web.CurrentUser(c).ID, "request_id", web.RequestID(c))
	if u.ID == web.CurrentUser(c).ID {
		if err := a.SignIn(c, &u); err != nil {
			return err
		}
	}
	web.AddFlash(c, "success", fmt.Sprintf("Password reset for %s; they are signed out everywhere.", u.Name))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
}

// userDisable stops the account signing in and ends its sessions; it refuses an
// admin's own account and the last active admin (422). Route: users.disable.
func (a *App) userDisable(c echo.Context) error { return a.setDisabled(c, true) }

// userEnable lets a disabled account sign in again. Route: users.enable.
func (a *App) userEnable(c echo.Context) error { return a.setDisabled(c, false) }

func (a *App) setDisabled(c echo.Context, disabled bool) error {
	u, err := a.loadUserParam(c)
	if err != nil {
		return err
	}
	refuse := func(msg string) error {
		return a.renderUserPage(c, http.StatusUnprocessableEntity, pages.UserPageProps{U: u, Details: pages.UserValuesOf(u), StatusError: msg})
	}
	if disabled && u.ID == web.CurrentUser(c).ID {
		return refuse("You cannot disable your own account; another administrator can.")
	}
	err = models.SetDisabled(c.Request().Context(), a.db, &u, disabled, userID(c), a.Now())
	switch {
	case errors.Is(err, models.ErrLastAdmin):
		return refuse("This is the last active administrator: make someone else an admin first.")
	case err != nil:
		return err
	}
	verb, event := "Enabled", "user enabled"
	if disabled {
		verb, event = "Disabled", "user disabled"
	}
	a.Log().Info(event, "user_id", u.ID, "by", web.CurrentUser(c).ID, "request_id", web.RequestID(c))
	web.AddFlash(c, "success", fmt.Sprintf("%s the account of %s.", verb, u.Name))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
}
