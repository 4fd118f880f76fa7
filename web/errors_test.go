package web

import (
	"fmt"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
)

// The domain's error vocabulary maps once to statuses, wrapped or not.
func TestErrorVocabularyStatuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want int
	}{
		{models.ErrNotFound, http.StatusNotFound},
		{fmt.Errorf("engagement 7: %w", gorm.ErrRecordNotFound), http.StatusNotFound},
		{models.ErrForbidden, http.StatusForbidden},
		{fmt.Errorf("save: %w", models.ErrStale), http.StatusConflict},
		{models.ErrQuarterPublished, http.StatusConflict},
		{&models.MonthRecordedError{ID: 3, Month: models.D(2026, 11, 1)}, http.StatusConflict},
		{models.Invalid{"title": "Required."}, http.StatusUnprocessableEntity},
		{fmt.Errorf("plain"), http.StatusInternalServerError},
	} {
		if got, _ := httpStatus(tc.err); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.err, got, tc.want)
		}
	}
}
