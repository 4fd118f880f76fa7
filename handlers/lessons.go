package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// lessonFilter reads the library's search words and filters, ignoring bad values.
func lessonFilter(c echo.Context) models.LessonFilter {
	return models.LessonFilter{
		Q:            c.QueryParam("q"),
		Phase:        oneOf(c.QueryParam("phase"), models.LessonPhases...),
		Outcome:      oneOf(c.QueryParam("outcome"), models.LessonOutcomes...),
		Category:     oneOf(c.QueryParam("category"), models.RiskCategories...),
		Tower:        oneOf(c.QueryParam("tower"), models.Towers...),
		EngagementID: uintQuery(c, "engagement"),
		Page:         pageParam(c),
		PerPage:      perPage,
	}
}

// lessons is the searchable library, ranked by the search words. Route:
// lessons.index; an htmx request gets the #lessons-list partial.
func (a *App) lessons(c echo.Context) error {
	f := lessonFilter(c)
	rows, total, err := models.ListLessons(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	p := pages.LessonsProps{
		Chrome: web.Chrome(c, "Lessons learned", "lessons"),
		Query:  listQuery(c, "/lessons", "#lessons-list", "q", "phase", "outcome", "category", "tower", "engagement"),
		Filter: f, Rows: rows, Total: total,
	}
	if u := web.CurrentUser(c); u != nil {
		p.CanAdd = web.Editor.Allows(u.Role)
	}
	if !web.IsHTMX(c) {
		if p.Engagements, err = a.lessonEngagementChoices(c); err != nil {
			return err
		}
	}
	return web.Render(c, http.StatusOK, pages.Lessons(p), pages.LessonsList(p))
}

// lessonEngagementChoices lists the engagements (code and name) for the
// library's filter and the form's suggestions, none past maxEngagementOptions.
func (a *App) lessonEngagementChoices(c echo.Context) ([]models.Engagement, error) {
	out, _, err := models.EngagementChoices(c.Request().Context(), a.db, maxEngagementOptions)
	return out, err
}

// lessonsExport streams the library as searched and filtered (every page) as
// CSV or XLSX. Route: lessons.export (?format=csv|xlsx and the list's filters).
func (a *App) lessonsExport(c echo.Context) error {
	f := lessonFilter(c)
	return a.writeExport(c, exportFormatParam(c), exportSpec{
		Filename: "lessons",
		Header: []string{"Title", "What happened", "Lesson", "Outcome", "Phase", "Category", "Engagement", "Tower", "Tags",
			"Learned on", "Author", "Linked risk"},
		Types: []cellType{tText, tLong, tLong, tLong, tText, tText, tText, tText, tText, tDate, tText, tText},
		Rows: func(yield func([]string) error) error {
			return models.EachLesson(c.Request().Context(), a.db, f, func(l models.LessonExportRow) error {
				return yield([]string{l.Title, l.WhatHappened, l.Lesson.Lesson, l.Outcome, l.Phase, l.Category, l.EngagementCode,
					l.Tower, l.Tags, l.LearnedOn.String(), l.AuthorName, l.RiskRef})
			})
		},
	})
}
