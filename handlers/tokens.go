package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// DefaultTokenMaxLife is the longest life a personal access token may be given
// unless the server is configured otherwise (SetTokenMaxLife).
const DefaultTokenMaxLife = 365 * 24 * time.Hour

// SetTokenMaxLife sets the longest life a token may be given (0: the default).
func (a *App) SetTokenMaxLife(d time.Duration) {
	if d <= 0 {
		d = DefaultTokenMaxLife
	}
	a.tokenMaxLife = d
}

// tokensPanel is the account page's API tokens panel for the signed-in user.
func (a *App) tokensPanel(c echo.Context) (pages.TokensPanelProps, error) {
	u := web.CurrentUser(c)
	now := a.Now()
	p := pages.TokensPanelProps{CSRF: web.CSRFToken(c), Role: u.Role, Now: now, MaxDays: int(a.tokenMaxLife / (24 * time.Hour)),
		V: pages.TokenFormValues{Scope: models.ScopeRead, Expires: models.DateOf(now.Add(models.DefaultTokenLife)).String()}}
	var err error
	p.Tokens, err = models.TokensOf(c.Request().Context(), a.db, u.ID)
	return p, err
}

// accountTokenCreate makes a personal access token for the signed-in user;
// its secret is shown this once, in the flash of the account page (as a new
// calendar address is: the session cookie is encrypted). Route:
// account.tokens.create. Invalid → 422 with the form as typed; success → 303.
func (a *App) accountTokenCreate(c echo.Context) error {
	u := web.CurrentUser(c)
	v := pages.TokenFormValues{Name: c.FormValue("name"), Scope: c.FormValue("scope"), Expires: strings.TrimSpace(c.FormValue("expires"))}
	errs := web.Checker{}
	var expires time.Time
	if v.Expires != "" {
		if d := errs.Date("expires", v.Expires, false); !d.IsZero() {
			expires = d.AddDays(1).Time // the token works through the day named
		}
	}
	if errs.OK() {
		secret, tok, err := models.CreateToken(c.Request().Context(), a.db,
			models.NewToken{Owner: *u, Name: v.Name, Scope: v.Scope, Expires: expires, MaxLife: a.tokenMaxLife}, &u.ID, a.Now())
		if invalid, ok := err.(models.Invalid); ok {
			for k, msg := range invalid {
				errs.Add(k, msg)
			}
		} else if err != nil {
			return err
		} else {
			a.Log().Info("api token made", "user_id", u.ID, "token_id", tok.ID, "scope", tok.Scope, "request_id", web.RequestID(c))
			web.AddFlash(c, "success", fmt.Sprintf("Your token %q (%s), shown only this once: copy it now: %s", tok.Name, tok.Scope, secret))
			return web.Redirect(c, "/account#api-tokens")
		}
	}
	return a.renderAccountWith(c, http.StatusUnprocessableEntity, nil, nil, func(p *pages.AccountProps) {
		p.Tokens.V, p.Tokens.Errors = v, errs
	})
}

// accountTokenRevoke revokes one of the signed-in user's own tokens (another's
// is not found). Route: account.tokens.revoke. Flash and 303 to /account.
func (a *App) accountTokenRevoke(c echo.Context) error {
	u := web.CurrentUser(c)
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeToken(c.Request().Context(), a.db, id, u.ID, &u.ID, a.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "The token is revoked: it stops working at once.")
	return web.Redirect(c, "/account#api-tokens")
}

// tokens lists every user's API tokens for administrators. Route: tokens.index.
func (a *App) tokens(c echo.Context) error {
	all, err := models.TokensOf(c.Request().Context(), a.db, 0)
	if err != nil {
		return err
	}
	p := pages.TokensProps{Chrome: web.Chrome(c, "API tokens", "users"), Tokens: all, Now: a.Now()}
	return web.Render(c, http.StatusOK, pages.Tokens(p), nil)
}

// tokenRevoke revokes anyone's token (administrators). Route: tokens.revoke.
func (a *App) tokenRevoke(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeToken(c.Request().Context(), a.db, id, 0, userID(c), a.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Token %s revoked.", strconv.Itoa(int(id))))
	return web.Redirect(c, "/tokens")
}
