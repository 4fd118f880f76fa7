package handlers

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"portfolio/models"
	"portfolio/views/components"
)

// importField is a field of a record as a dry run shows it: Name is the
// struct field, Label the words people read (the file's column), and Show
// writes a value as the app shows it (names rather than ids, dates as
// "2 Sep 2026", amounts with separators and currency).
type importField[T any] struct {
	Name, Label string
	Show        func(T) string
}

// maxShownRunes cuts a long text in a dry run: the whole text is in the file.
const maxShownRunes = 300

// shown writes a value for the dry run: "—" for nothing, long texts cut.
func shown(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "—"
	}
	if utf8.RuneCountInString(s) > maxShownRunes {
		return string([]rune(s)[:maxShownRunes]) + "…"
	}
	return s
}

// stored is a field's value as history records it, so that "changed" means
// what the write will record, whatever Show makes of it.
func stored(v reflect.Value, name string) string {
	return models.FormatValue("", v.FieldByName(name).Interface())
}

// fieldChanges lists, in fields' order, the fields that differ between old
// and new, each as label: old → new.
func fieldChanges[T any](old, new T, fields []importField[T]) []components.ImportChange {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(new)
	var out []components.ImportChange
	for _, f := range fields {
		if stored(ov, f.Name) == stored(nv, f.Name) {
			continue
		}
		out = append(out, components.ImportChange{Field: f.Label, Old: shown(f.Show(old)), New: shown(f.Show(new))})
	}
	return out
}

// fieldValues lists a new record's fields that hold a value, for the dry run
// to say what it will create.
func fieldValues[T any](v T, fields []importField[T]) []components.ImportChange {
	rv := reflect.ValueOf(v)
	var out []components.ImportChange
	for _, f := range fields {
		if stored(rv, f.Name) == "" {
			continue
		}
		out = append(out, components.ImportChange{Field: f.Label, New: shown(f.Show(v))})
	}
	return out
}

// capitalised writes a code word as a label ("open" → "Open").
func capitalised(s string) string {
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
