package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// lessonForm is the lesson form as typed.
type lessonForm struct{ pages.LessonValues }

func readLessonForm(c echo.Context) lessonForm {
	return lessonForm{pages.LessonValues{Title: c.FormValue("title"), WhatHappened: c.FormValue("what_happened"),
		Lesson: c.FormValue("lesson"), Outcome: c.FormValue("outcome"), Phase: c.FormValue("phase"), Category: c.FormValue("category"),
		Engagement: c.FormValue("engagement"), Tower: c.FormValue("tower"), Tags: c.FormValue("tags"), LearnedOn: c.FormValue("learned_on"),
		Risk: c.FormValue("risk"), Version: c.FormValue("version")}}
}

// Validate parses the form into a lesson, looking up the engagement by its code
// and the risk by its reference. A lesson of an engagement with no tower given
// takes the engagement's tower, so that it shows on that tower's engagements.
func (f lessonForm) Validate(ctx context.Context, db *models.DB, today models.Date) (models.Lesson, web.Checker, error) {
	ch := web.Checker{}
	l := models.Lesson{
		Title:        ch.Text("title", f.Title, true, 200),
		WhatHappened: ch.Text("what_happened", f.WhatHappened, false, 4000),
		Lesson:       ch.Text("lesson", f.Lesson, true, 4000),
		Outcome:      ch.OneOf("outcome", f.Outcome, models.LessonOutcomes),
		Phase:        ch.OneOf("phase", f.Phase, models.LessonPhases),
		Category:     ch.OneOf("category", f.Category, models.RiskCategories),
		Tags:         models.NormaliseTags(ch.Text("tags", f.Tags, false, 300)),
		LearnedOn:    ch.Date("learned_on", f.LearnedOn, true),
	}
	if !l.LearnedOn.IsZero() && l.LearnedOn.After(today) {
		ch.Add("learned_on", "A lesson is learned by now: the date cannot be in the future.")
	}
	if f.Tower != "" {
		l.Tower = ch.OneOf("tower", f.Tower, models.Towers)
	}
	if code := strings.TrimSpace(f.Engagement); code != "" {
		e, ok, err := models.EngagementByCodeFold(ctx, db, code)
		switch {
		case err != nil:
			return l, ch, err
		case !ok:
			ch.Add("engagement", "No engagement has the code “"+code+"”.")
		default:
			l.EngagementID = &e.ID
			if f.Tower == "" {
				l.Tower = e.Tower
			}
		}
	}
	if ref := strings.TrimSpace(f.Risk); ref != "" {
		r, ok, err := models.RiskByRef(ctx, db, ref)
		switch {
		case err != nil:
			return l, ch, err
		case !ok:
			ch.Add("risk", "No risk has the reference “"+ref+"”.")
		default:
			l.RiskID = &r.ID
		}
	}
	return l, ch, nil
}

// lessonValues fills the form from a stored lesson.
func (a *App) lessonValues(c echo.Context, l models.Lesson) (pages.LessonValues, error) {
	v := pages.LessonValues{Title: l.Title, WhatHappened: l.WhatHappened, Lesson: l.Lesson, Outcome: l.Outcome, Phase: l.Phase,
		Category: l.Category, Tower: l.Tower, Tags: l.Tags, LearnedOn: l.LearnedOn.String(), Version: strconv.Itoa(l.Version)}
	ctx := c.Request().Context()
	if l.EngagementID != nil {
		e, err := models.EngagementByID(ctx, a.db, *l.EngagementID)
		if err != nil {
			return v, err
		}
		v.Engagement = e.Code
	}
	if l.RiskID != nil {
		r, err := models.First[models.Risk](ctx, a.db, *l.RiskID)
		if err != nil {
			return v, err
		}
		v.Risk = r.Ref
	}
	return v, nil
}

func (a *App) renderLessonForm(c echo.Context, status int, p pages.LessonFormProps) error {
	if !web.IsHTMX(c) {
		engs, err := a.lessonEngagementChoices(c)
		if err != nil {
			return err
		}
		for _, e := range engs {
			p.Codes = append(p.Codes, e.Code)
		}
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	return web.Render(c, status, pages.LessonForm(p), pages.LessonFormPanel(p))
}

// lessonNew shows the empty lesson form; ?engagement=ID starts it on that
// engagement and its current phase. Route: lessons.new.
func (a *App) lessonNew(c echo.Context) error {
	v := pages.LessonValues{LearnedOn: a.today().String()}
	if id := uintQuery(c, "engagement"); id != 0 {
		e, ok, err := models.Find[models.Engagement](c.Request().Context(), a.db, id)
		if err != nil {
			return err
		}
		if ok {
			v.Engagement, v.Phase = e.Code, models.LessonPhaseOf(e.Phase)
		}
	}
	return a.renderLessonForm(c, http.StatusOK, pages.LessonFormProps{Chrome: web.Chrome(c, "New lesson", "lessons"), V: v})
}

// lessonCreate adds a lesson to the library, written by the signed-in user.
// Route: lessons.create. The cycle of every create form (web.SaveNew):
// invalid → 422 with the form (the #lesson-form partial for htmx); success →
// 303 to the lesson (HX-Redirect for htmx).
func (a *App) lessonCreate(c echo.Context) error {
	var saved models.Lesson
	return web.SaveNew(c, readLessonForm(c).LessonValues, web.EditForm[pages.LessonValues]{
		Save: func(v pages.LessonValues, _ int) (map[string]string, error) {
			l, ch, err := lessonForm{v}.Validate(c.Request().Context(), a.db, a.today())
			if err != nil || !ch.OK() {
				return ch, err
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = l
			return nil, models.CreateLesson(c.Request().Context(), a.db, w, &saved)
		},
		Render: func(status int, st web.EditState[pages.LessonValues]) error {
			return a.renderLessonForm(c, status, pages.LessonFormProps{Chrome: web.Chrome(c, "New lesson", "lessons"), V: st.Values, Errors: st.Errors})
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Lesson “"+saved.Title+"” added to the library.")
			return web.Redirect(c, fmt.Sprintf("/lessons/%d", saved.ID))
		},
	})
}

// canEditLesson reports whether the user may change a lesson: its author (a
// manager) or an administrator.
func canEditLesson(c echo.Context, l models.Lesson) bool {
	u := web.CurrentUser(c)
	switch {
	case u == nil:
		return false
	case u.Role == models.RoleAdmin:
		return true
	}
	return u.Role == models.RoleManager && l.AuthorID != nil && *l.AuthorID == u.ID
}

// pathLesson loads the lesson of the path's :id with its engagement and author.
func (a *App) pathLesson(c echo.Context) (models.Lesson, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Lesson{}, err
	}
	return models.First[models.Lesson](c.Request().Context(), a.db, id, "Engagement", "Author")
}

// editableLesson loads the path's lesson and answers 403 unless the user may change it.
func (a *App) editableLesson(c echo.Context) (models.Lesson, error) {
	l, err := a.pathLesson(c)
	if err == nil && !canEditLesson(c, l) {
		err = web.Forbidden("Only the lesson's author or an administrator changes a lesson.")
	}
	return l, err
}

// lessonShow shows one lesson with its links and history. Route: lessons.show.
func (a *App) lessonShow(c echo.Context) error {
	l, err := a.pathLesson(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := pages.LessonProps{Chrome: web.Chrome(c, l.Title, "lessons"), L: l, CanEdit: canEditLesson(c, l)}
	if l.RiskID != nil {
		r, ok, err := models.Find[models.Risk](ctx, a.db, *l.RiskID)
		if err != nil {
			return err
		}
		if ok {
			p.Risk = &r
		}
	}
	if p.History, err = models.HistoryOf(ctx, a.db, models.EntityLesson, l.ID); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, pages.LessonPage(p), nil)
}

// lessonEdit shows a lesson's form. Route: lessons.edit.
func (a *App) lessonEdit(c echo.Context) error {
	l, err := a.editableLesson(c)
	if err != nil {
		return err
	}
	v, err := a.lessonValues(c, l)
	if err != nil {
		return err
	}
	return a.renderLessonForm(c, http.StatusOK, pages.LessonFormProps{Chrome: web.Chrome(c, "Edit lesson", "lessons"), Current: &l, V: v,
		Shown: web.EncodeShown(v)})
}

// lessonUpdate saves a lesson. Route: lessons.update. The cycle of every edit
// form (web.SaveEdit): invalid → 422; a form rendered before someone else saved
// is merged field by field, the flash naming whose change; where both changed
// the same field, 409 with just those fields; success → 303 to the lesson
// (the #lesson-form partial for htmx on 422 and 409).
func (a *App) lessonUpdate(c echo.Context) error {
	cur, err := a.editableLesson(c)
	if err != nil {
		return err
	}
	mine := readLessonForm(c).LessonValues
	var saved models.Lesson
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.LessonValues]{
		Load: func() (pages.LessonValues, int, error) {
			var err error
			if cur, err = a.pathLesson(c); err != nil {
				return pages.LessonValues{}, 0, err
			}
			v, err := a.lessonValues(c, cur)
			return v, cur.Version, err
		},
		Save: func(v pages.LessonValues, version int) (map[string]string, error) {
			l, ch, err := lessonForm{v}.Validate(c.Request().Context(), a.db, a.today())
			if err != nil || !ch.OK() {
				return ch, err
			}
			w, err := a.deliveryWrite(c)
			if err != nil {
				return nil, err
			}
			saved = l
			_, err = models.UpdateLesson(c.Request().Context(), a.db, w, cur.ID, version, l)
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.LessonValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p := pages.LessonFormProps{Chrome: web.Chrome(c, "Edit lesson", "lessons"), Current: &cur, V: v, Errors: st.Errors, Shown: st.Shown}
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy = true, st.ConflictBy
				for _, f := range st.Conflicts {
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return a.renderLessonForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Lesson “"+saved.Title+"” saved.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/lessons/%d", cur.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, models.EntityLesson, cur.ID) },
	})
}

// lessonArchive takes a lesson out of the library (nothing is deleted). Route: lessons.archive.
func (a *App) lessonArchive(c echo.Context) error { return a.setLessonArchived(c, true) }

// lessonRestore puts an archived lesson back in the library. Route: lessons.restore.
func (a *App) lessonRestore(c echo.Context) error { return a.setLessonArchived(c, false) }

func (a *App) setLessonArchived(c echo.Context, archived bool) error {
	l, err := a.editableLesson(c)
	if err != nil {
		return err
	}
	version, err := postedVersion(c)
	if err != nil {
		return err
	}
	w, err := a.deliveryWrite(c)
	if err != nil {
		return err
	}
	if _, err := models.SetLessonArchived(c.Request().Context(), a.db, w, l.ID, version, archived); errors.Is(err, models.ErrStale) {
		return echo.NewHTTPError(http.StatusConflict, "Someone changed this lesson while you were reading it. Reload the page to see the current version, then try again.")
	} else if err != nil {
		return err
	}
	msg := "Lesson archived: it has left the library and the engagement pages; its history is kept."
	if !archived {
		msg = "Lesson restored to the library."
	}
	web.AddFlash(c, "success", msg)
	return web.Redirect(c, fmt.Sprintf("/lessons/%d", l.ID))
}
