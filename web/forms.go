package web

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"portfolio/models"
)

// Checker collects validation errors by field while it parses a form's raw
// strings into typed values. Forms keep the raw strings, so a form re-rendered
// with errors shows exactly what the user typed.
type Checker map[string]string

// OK reports no errors.
func (e Checker) OK() bool { return len(e) == 0 }

// Add records an error for a field (the first one stays).
func (e Checker) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Text trims v and checks it is present (when required) and at most max characters.
func (e Checker) Text(field, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	switch {
	case required && v == "":
		e.Add(field, "Required.")
	case utf8.RuneCountInString(v) > max:
		e.Add(field, fmt.Sprintf("Use at most %d characters.", max))
	}
	return v
}

// Int parses a whole number between min and max.
func (e Checker) Int(field, v string, min, max int) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < min || n > max {
		e.Add(field, fmt.Sprintf("Enter a whole number from %d to %d.", min, max))
		return 0
	}
	return n
}

// Date parses a YYYY-MM-DD date; an empty optional date is the zero date.
func (e Checker) Date(field, v string, required bool) models.Date {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			e.Add(field, "Required.")
		}
		return models.Date{}
	}
	d, err := models.ParseDate(v)
	if err != nil || d.Year() < 1990 || d.Year() > 2100 {
		e.Add(field, "Enter a date as YYYY-MM-DD.")
	}
	return d
}

// Amount parses a decimal money amount into minor units; negative amounts only when allowed.
func (e Checker) Amount(field, v string, allowNegative bool) int64 {
	n, err := models.ParseAmount(v)
	switch {
	case err != nil:
		e.Add(field, Sentence(err.Error()))
	case n < 0 && !allowNegative:
		e.Add(field, "Must not be negative.")
	}
	return n
}

// OneOf checks v is one of the allowed values.
func (e Checker) OneOf(field, v string, allowed []string) string {
	v = strings.TrimSpace(v)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	if v == "" {
		e.Add(field, "Choose one.")
	} else {
		e.Add(field, "Choose one of the listed values.")
	}
	return v
}

// ID parses an optional record id ("" → nil).
func (e Checker) ID(field, v string) *uint {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 {
		e.Add(field, "Choose one of the listed values.")
		return nil
	}
	id := uint(n)
	return &id
}

// Sentence turns an error message ("use at most two decimal places") into a
// sentence for the page ("Use at most two decimal places.").
func Sentence(msg string) string {
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}
