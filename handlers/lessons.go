package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/pages"
	"portfolio/web"
)

// lessons is the searchable library. Route: lessons.index; an htmx request gets the #lessons-list partial.
func (a *App) lessons(c echo.Context) error {
	f := models.LessonFilter{
		Q:        c.QueryParam("q"),
		Phase:    oneOf(c.QueryParam("phase"), models.LessonPhases...),
		Outcome:  oneOf(c.QueryParam("outcome"), models.LessonOutcomes...),
		Category: oneOf(c.QueryParam("category"), models.RiskCategories...),
		Tower:    oneOf(c.QueryParam("tower"), models.Towers...),
		Page:     pageParam(c),
		PerPage:  perPage,
	}
	rows, total, err := models.ListLessons(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	p := pages.LessonsProps{
		Chrome: web.Chrome(c, "Lessons learned", "lessons"),
		Query:  listQuery(c, "/lessons", "#lessons-list", "q", "phase", "outcome", "category", "tower"),
		Filter: f, Rows: rows, Total: total,
	}
	return web.Render(c, http.StatusOK, pages.Lessons(p), pages.LessonsList(p))
}
