package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
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
	if p.History, err = models.HistoryOf(ctx, a.db, "user", p.U.ID); err != nil {
		return err
	}
	if p.Shown == "" {
		p.Shown = web.EncodeShown(pages.UserEditValues(pages.UserValuesOf(p.U)))
	}
	p.Self = p.U.ID == web.CurrentUser(c).ID
	p.SSOOnly = a.ssoOnly(&p.U)
	p.Chrome = web.Chrome(c, p.U.Name, "users")
	return web.Render(c, status, pages.UserPage(p), nil)
}

// userUpdate saves name, email and role. Route: users.update. The cycle of
// every edit form (web.SaveEdit): invalid or refused (the last active admin,
// an email taken) → 422; a form rendered before someone else saved the account is
// merged field by field, the flash naming whose change; where both changed
// the same field, 409 with just those fields; success → 303 to the account
// (to the home page for an admin who gave up their own admin role).
func (a *App) userUpdate(c echo.Context) error {
	u, err := a.loadUserParam(c)
	if err != nil {
		return err
	}
	f := readUserForm(c)
	f.Email = models.NormalizeEmail(f.Email) // "Ann@X.com " is the stored "ann@x.com", not a change
	mine := pages.UserEditValues(f.UserValues)
	// Accounts have no version column: the form counts as current while the
	// account still holds what it showed, and as rendered before someone
	// else's save once it does not. UpdateUser's own check (the row still as
	// loaded) catches a save in between, which SaveEdit then merges again.
	var shown pages.UserEditValues
	hasShown := json.Unmarshal([]byte(c.FormValue(web.ShownField)), &shown) == nil
	var old, next models.User
	return web.SaveEdit(c, mine, "1", web.EditForm[pages.UserEditValues]{
		Load: func() (pages.UserEditValues, int, error) {
			var err error
			if u, err = a.loadUserParam(c); err != nil {
				return pages.UserEditValues{}, 0, err
			}
			now := pages.UserEditValues(pages.UserValuesOf(u))
			if hasShown && now == shown {
				return now, 1, nil
			}
			return now, 0, nil
		},
		Save: func(v pages.UserEditValues, _ int) (map[string]string, error) {
			uf := userForm{UserValues: pages.UserValues(v)}
			if errs := uf.Validate(false); !errs.OK() {
				return errs, nil
			}
			old, next = u, uf.user()
			err := models.UpdateUser(c.Request().Context(), a.db, old, next, userID(c), a.Now())
			switch {
			case errors.Is(err, models.ErrLastAdmin):
				return map[string]string{"role": "This is the last active administrator: make someone else an admin first."}, nil
			case errors.Is(err, models.ErrEmailTaken):
				return map[string]string{"email": "Another account has this email."}, nil
			}
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.UserEditValues]) error {
			p := pages.UserPageProps{U: u, Details: pages.UserValues(st.Values), Shown: st.Shown, DetailsErrors: st.Errors}
			if status == http.StatusConflict {
				p.ConflictBy = st.ConflictBy
				for _, f := range st.Conflicts {
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return a.renderUserPage(c, status, p)
		},
		Saved: func(merged string) error {
			if old.Role != next.Role {
				a.Log().Info("user role changed", "user_id", u.ID, "from", old.Role, "to", next.Role, "by", web.CurrentUser(c).ID)
			}
			msg := web.Merged(fmt.Sprintf("Saved %s (%s).", next.Name, next.Role), merged)
			web.AddFlash(c, "success", msg)
			if u.ID == web.CurrentUser(c).ID && next.Role != models.RoleAdmin {
				return c.Redirect(http.StatusSeeOther, "/") // they may no longer open the users pages
			}
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, "user", u.ID) },
	})
}

// userPassword sets a new password for the account and signs it out everywhere
// (an admin resetting their own password stays signed in here). Route:
// users.password. The cycle of every form, on web.SaveNew (a password has
// nothing to merge): invalid → 422 (passwords are never sent back); success →
// flash and 303 to the account.
func (a *App) userPassword(c echo.Context) error {
	u, err := a.loadUserParam(c)
	if err != nil {
		return err
	}
	if a.ssoOnly(&u) {
		// Its password would not sign it in (localLoginAllows): a reset would
		// only leave a credential lying about.
		return echo.NewHTTPError(http.StatusConflict, "This account signs in through single sign-on only: its password is not set here.")
	}
	mine := passwordChange{Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	return web.SaveNew(c, mine, web.EditForm[passwordChange]{
		Save: func(f passwordChange, _ int) (map[string]string, error) {
			errs := web.Checker{}
			if checkNewPassword(errs, f.Password, f.Confirm, u.Email); !errs.OK() {
				return errs, nil
			}
			return nil, models.SetPassword(c.Request().Context(), a.db, &u, f.Password, userID(c), a.Now())
		},
		Render: func(status int, st web.EditState[passwordChange]) error {
			return a.renderUserPage(c, status, pages.UserPageProps{U: u, Details: pages.UserValuesOf(u), PasswordErrors: st.Errors})
		},
		Saved: func(string) error {
			a.Log().Info("password reset", "user_id", u.ID, "by", web.CurrentUser(c).ID, "request_id", web.RequestID(c))
			if u.ID == web.CurrentUser(c).ID {
				if err := a.SignIn(c, &u); err != nil {
					return err
				}
			}
			web.AddFlash(c, "success", fmt.Sprintf("Password reset for %s; they are signed out everywhere.", u.Name))
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
		},
	})
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
