package models

import (
	"errors"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// The error vocabulary of the domain: what a read or a write can refuse, in
// words web maps once to a status (web.httpStatus): Invalid 422, a conflict
// 409 (ErrStale, ErrQuarterPublished, a MonthRecordedError), ErrNotFound
// (and gorm's record not found) 404, ErrForbidden 403.
var (
	// ErrNotFound is a record that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrForbidden is a change the user may not make.
	ErrForbidden = errors.New("forbidden")
)

// Invalid is input the domain's rules refuse, a message per field.
type Invalid map[string]string

func (e Invalid) Error() string {
	fields := make([]string, 0, len(e))
	for f, msg := range e {
		fields = append(fields, f+": "+msg)
	}
	sort.Strings(fields)
	return "invalid: " + strings.Join(fields, "; ")
}

// IsConflict reports an error that is a clash with a change made by someone
// else, or with the state of the record (409).
func IsConflict(err error) bool {
	var recorded *MonthRecordedError
	return errors.Is(err, ErrStale) || errors.Is(err, ErrQuarterPublished) || errors.As(err, &recorded)
}

// IsDuplicate reports a write refused by a unique index: someone else
// stored the same key first.
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }
