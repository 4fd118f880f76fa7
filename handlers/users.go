package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// userForm is the raw input of the add-a-user and details forms.
type userForm struct {
	pages.UserValues
	Password, Confirm string
}

func readUserForm(c echo.Context) userForm {
	return userForm{
		UserValues: pages.UserValues{Name: c.FormValue("name"), Email: c.FormValue("email"), Role: c.FormValue("role")},
		Password:   c.FormValue("password"), Confirm: c.FormValue("confirm"),
	}
}

// Validate checks the details; creating also checks the first password.
func (f userForm) Validate(creating bool) web.Checker {
	e := web.Checker{}
	e.Text("name", f.Name, true, 100)
	email := models.NormalizeEmail(e.Text("email", f.Email, true, 254))
	if _, bad := e["email"]; !bad && !models.ValidEmail(email) {
		e.Add("email", "Enter an email address such as name@company.com.")
	}
	e.OneOf("role", f.Role, models.Roles)
	if creating {
		checkNewPassword(e, f.Password, f.Confirm, email)
	}
	return e
}

// user is the stored account the form describes (trimmed, email normalised).
func (f userForm) user() models.User {
	return models.User{Name: strings.TrimSpace(f.Name), Email: models.NormalizeEmail(f.Email), Role: strings.TrimSpace(f.Role)}
}

// checkNewPassword checks a new password ("password") and its repetition ("confirm").
func checkNewPassword(e web.Checker, pw, confirm, email string) {
	if msg := models.CheckPassword(pw, email); msg != "" {
		e.Add("password", msg)
	} else if confirm != pw {
		e.Add("confirm", "The two passwords differ: type the same password twice.")
	}
}

// users lists the accounts. Route: users.index; an htmx request gets the #users-list partial.
func (a *App) users(c echo.Context) error {
	f := models.UserFilter{
		Q:       c.QueryParam("q"),
		Role:    oneOf(c.QueryParam("role"), models.Roles...),
		Status:  oneOf(c.QueryParam("status"), "active", "disabled"),
		Page:    pageParam(c),
		PerPage: perPage,
	}
	rows, total, err := models.ListUsers(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	p := pages.UsersProps{
		Chrome: web.Chrome(c, "Users", "users"),
		Query:  listQuery(c, "/users", "#users-list", "q", "role", "status"),
		Filter: f, Rows: rows, Total: total,
	}
	return web.Render(c, http.StatusOK, pages.Users(p), pages.UsersList(p))
}

// userNew shows the add-a-user form, the role preset to the least privilege. Route: users.new.
func (a *App) userNew(c echo.Context) error {
	p := pages.UserNewProps{Form: pages.UserValues{Role: models.RoleExecutive}}
	return a.renderUserNew(c, http.StatusOK, p)
}

func (a *App) renderUserNew(c echo.Context, status int, p pages.UserNewProps) error {
	p.Chrome = web.Chrome(c, "Add a user", "users")
	return web.Render(c, status, pages.UserNew(p), nil)
}

// userCreate adds an account with its first password. Route: users.create.
// The cycle of every create form (web.SaveNew): invalid → 422 with the form
// as typed (passwords are never echoed back); success → 303 to the account.
func (a *App) userCreate(c echo.Context) error {
	var u models.User
	return web.SaveNew(c, readUserForm(c), web.EditForm[userForm]{
		Save: func(f userForm, _ int) (map[string]string, error) {
			if errs := f.Validate(true); !errs.OK() {
				return errs, nil
			}
			u = f.user()
			err := models.CreateUser(c.Request().Context(), a.db, &u, f.Password, userID(c), a.Now())
			if errors.Is(err, models.ErrEmailTaken) {
				return map[string]string{"email": "An account with this email exists already."}, nil
			}
			return nil, err
		},
		Render: func(status int, st web.EditState[userForm]) error {
			return a.renderUserNew(c, status, pages.UserNewProps{Form: st.Values.UserValues, Errors: st.Errors})
		},
		Saved: func(string) error {
			a.Log().Info("user created", "user_id", u.ID, "role", u.Role, "by", web.CurrentUser(c).ID, "request_id", web.RequestID(c))
			web.AddFlash(c, "success", fmt.Sprintf("Added %s as %s. Give them their password privately; they can change it under Your account.", u.Name, u.Role))
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/users/%d", u.ID))
		},
	})
}

// loadUserParam loads the account named by the :id path parameter (404 when absent).
func (a *App) loadUserParam(c echo.Context) (models.User, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.User{}, err
	}
	return models.First[models.User](c.Request().Context(), a.db, id)
}
