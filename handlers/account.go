package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/remind"
	"portfolio/views/pages"
	"portfolio/web"
)

// account is the signed-in user's own page: who they are, what their role lets
// them do, and the change-password form. Route: account.show.
func (a *App) account(c echo.Context) error {
	return a.renderAccount(c, http.StatusOK, nil)
}

func (a *App) renderAccount(c echo.Context, status int, errs map[string]string) error {
	return a.renderAccountWith(c, status, errs, nil)
}

// renderAccountWith renders the account page, with the email choices as
// typed when they were refused (nil: as kept).
func (a *App) renderAccountWith(c echo.Context, status int, errs map[string]string, typed *remind.Prefs, tweak ...func(*pages.AccountProps)) error {
	u := web.CurrentUser(c)
	p := pages.AccountProps{U: *u, Errors: errs, EmailOn: a.mailing.On}
	if a.mailing.On {
		p.EmailAt = a.mailing.At
	}
	var err error
	if p.ShownEmail, err = remind.PrefsOf(c.Request().Context(), a.db, u.ID); err != nil {
		return err
	}
	p.Email = p.ShownEmail
	if typed != nil {
		p.Email, p.Errors, p.EmailErrors = *typed, nil, errs
	}
	feed, ok, err := remind.LiveFeed(c.Request().Context(), a.db, u.ID)
	if err != nil {
		return err
	}
	if ok {
		p.CalendarSince = feed.CreatedAt
	}
	if u.Role == models.RoleManager {
		var err error
		if p.Manages, err = models.ManagedEngagements(c.Request().Context(), a.db, u.ID); err != nil {
			return err
		}
	}
	p.Chrome = web.Chrome(c, "Your account", "account")
	if p.Tokens, err = a.tokensPanel(c); err != nil {
		return err
	}
	for _, t := range tweak {
		t(&p)
	}
	return web.Render(c, status, pages.Account(p), nil)
}

// passwordChange is the change-password form as typed.
type passwordChange struct{ Current, Password, Confirm string }

// accountPassword changes the user's own password: the current one is required
// (and wrong guesses count towards sign-in throttling, so a borrowed session
// cannot be used to find it), the new one must pass models.CheckPassword. Every
// other session ends; this browser gets a fresh one. Route: account.password.
// Too many wrong guesses → 429; otherwise the cycle of every form, on
// web.SaveNew (a password has nothing to merge): invalid → 422 (passwords are
// never sent back); success → flash and 303.
func (a *App) accountPassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := *web.CurrentUser(c)
	keys := models.ThrottleKeys(u.Email, c.RealIP())
	now := a.Now()
	wait, err := models.ThrottleWait(ctx, a.db, now, keys...)
	if err != nil {
		return err
	}
	if wait > 0 {
		return a.renderAccount(c, http.StatusTooManyRequests, map[string]string{
			"current": fmt.Sprintf("Too many wrong passwords. Try again in %s.", humanWait(wait.Seconds()))})
	}
	mine := passwordChange{Current: c.FormValue("current"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	return web.SaveNew(c, mine, web.EditForm[passwordChange]{
		Save: func(f passwordChange, _ int) (map[string]string, error) {
			errs := web.Checker{}
			if f.Current == "" {
				errs.Add("current", "Enter your current password.")
			} else if !models.PasswordMatches(u.PasswordHash, f.Current) {
				if err := models.RecordLoginFailure(ctx, a.db, now, keys...); err != nil {
					return nil, err
				}
				a.Log().Warn("password change: wrong current password", "user_id", u.ID, "ip", c.RealIP(), "request_id", web.RequestID(c))
				errs.Add("current", "That is not your current password.")
			}
			checkNewPassword(errs, f.Password, f.Confirm, u.Email)
			if _, bad := errs["password"]; !bad && f.Password == f.Current && f.Current != "" {
				errs.Add("password", "Choose a password different from your current one.")
			}
			if !errs.OK() {
				return errs, nil
			}
			return nil, models.SetPassword(ctx, a.db, &u, f.Password, &u.ID, now)
		},
		Render: func(status int, st web.EditState[passwordChange]) error {
			return a.renderAccount(c, status, st.Errors)
		},
		Saved: func(string) error {
			if err := a.SignIn(c, &u); err != nil { // the revocation above ended this session too
				return err
			}
			a.Log().Info("password changed", "user_id", u.ID, "ip", c.RealIP(), "request_id", web.RequestID(c))
			web.AddFlash(c, "success", "Your password is changed. Any other session of yours is signed out.")
			return c.Redirect(http.StatusSeeOther, "/account")
		},
	})
}
