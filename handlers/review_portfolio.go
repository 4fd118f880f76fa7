package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// portfolioCommentaryForm is the key messages and asks of the board, as typed.
type portfolioCommentaryForm struct {
	KeyMessages string `form:"key_messages" label:"Key messages"`
	Asks        string `form:"asks" label:"Asks of the board"`
	Version     string
}

func portfolioCommentaryValues(c models.PortfolioCommentary) portfolioCommentaryForm {
	return portfolioCommentaryForm{KeyMessages: c.KeyMessages, Asks: c.Asks, Version: strconv.Itoa(c.Version)}
}

func (f portfolioCommentaryForm) validate() (models.PortfolioCommentary, map[string]string) {
	ck := web.Checker{}
	c := models.PortfolioCommentary{KeyMessages: ck.Text("key_messages", f.KeyMessages, false, 4000), Asks: ck.Text("asks", f.Asks, false, 2000)}
	return c, ck
}

// portfolioCommentaryEdit shows a quarter's key messages and asks: the form
// to an administrator while the quarter is not published, what is written
// to everyone else. Route: reviews.portfolio.commentary.
func (a *App) portfolioCommentaryEdit(c echo.Context) error {
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, _, err := models.PortfolioCommentaryOf(ctx, a.db, q.String())
	if err != nil {
		return err
	}
	published, err := models.QuarterPublished(ctx, a.db, q.String())
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	if published || u == nil || u.Role != models.RoleAdmin {
		p := pages.PortfolioCommentaryProps{Quarter: q.String(), Stored: stored, ReadOnly: "Only an administrator can change the key messages and asks."}
		if published {
			p.ReadOnly = q.String() + " is published; its key messages and asks are frozen with it."
		}
		p.Chrome = web.Chrome(c, "Key messages "+q.String(), "reviews")
		return web.Render(c, http.StatusOK, pages.PortfolioCommentary(p), nil)
	}
	f := portfolioCommentaryValues(stored)
	return a.renderPortfolioCommentary(c, http.StatusOK, q, web.EditState[portfolioCommentaryForm]{Values: f, Version: stored.Version, Shown: web.EncodeShown(f)})
}

func (a *App) renderPortfolioCommentary(c echo.Context, status int, q models.Quarter, st web.EditState[portfolioCommentaryForm]) error {
	v, errs := st.Values, st.Errors
	p := pages.PortfolioCommentaryProps{Quarter: q.String(), Errors: errs, Shown: st.Shown, Version: strconv.Itoa(st.Version),
		Fields: map[string]components.Field{
			"key_messages": {Name: "key_messages", Label: "Key messages", Type: "textarea", Value: v.KeyMessages, Error: errs["key_messages"],
				Hint: "What moved in the quarter and why. One message a line; each prints as a bullet."},
			"asks": {Name: "asks", Label: "Asks of the board", Type: "textarea", Value: v.Asks, Error: errs["asks"],
				Hint: "The decisions the board is asked to take. One a line; they print numbered."},
		}}
	for _, cf := range st.Conflicts {
		p.Conflict = append(p.Conflict, components.ConflictRow{Label: cf.Label, Yours: cf.Yours, Current: cf.Stored})
	}
	p.ConflictBy = st.ConflictBy
	p.Chrome = web.Chrome(c, "Key messages "+q.String(), "reviews")
	return web.Render(c, status, pages.PortfolioCommentary(p), pages.PortfolioCommentaryForm(p))
}

// portfolioCommentarySave stores the key messages and asks through the edit
// forms' cycle (web.SaveEdit): merged per field with a save made meanwhile,
// 409 where both changed the same field, and refused (409) once the quarter
// is published. Route: reviews.portfolio.commentary.save (administrators).
func (a *App) portfolioCommentarySave(c echo.Context) error {
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	frozen := echo.NewHTTPError(http.StatusConflict, q.String()+" is published; its key messages and asks are frozen. Nothing was saved.")
	if published, err := models.QuarterPublished(ctx, a.db, q.String()); err != nil || published {
		if err == nil {
			err = frozen
		}
		return err
	}
	var mine portfolioCommentaryForm
	web.ReadForm(c, &mine)
	mine.Version = c.FormValue("version")
	var current models.PortfolioCommentary
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[portfolioCommentaryForm]{
		Load: func() (portfolioCommentaryForm, int, error) {
			var err error
			current, _, err = models.PortfolioCommentaryOf(ctx, a.db, q.String())
			return portfolioCommentaryValues(current), current.Version, err
		},
		Save: func(v portfolioCommentaryForm, version int) (map[string]string, error) {
			next, errs := v.validate()
			if len(errs) > 0 {
				return errs, nil
			}
			_, err := models.SavePortfolioCommentary(ctx, a.db, userID(c), a.Now(), q.String(), next, version)
			if errors.Is(err, models.ErrQuarterPublished) {
				return nil, frozen
			}
			return nil, err
		},
		Render: func(status int, st web.EditState[portfolioCommentaryForm]) error {
			return a.renderPortfolioCommentary(c, status, q, st)
		},
		Saved: func(merged string) error {
			web.AddFlash(c, "success", web.Merged(fmt.Sprintf("Key messages and asks for %s saved.", q), merged))
			return web.Redirect(c, "/reviews/"+q.String())
		},
		LastChange: func() (string, string) { return a.lastChange(c, "portfolio_commentary", current.ID) },
	})
}
