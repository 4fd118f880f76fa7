// Package pages holds one component per screen and the props each takes.
package pages

import "strings"

func lower(s string) string { return strings.ToLower(s) }

func join(s []string) string { return strings.Join(s, ", ") }
