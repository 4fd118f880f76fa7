// Package pages holds one component per screen and the props each takes.
package pages

import "strings"

func lower(s string) string { return strings.ToLower(s) }

func join(s []string) string { return strings.Join(s, ", ") }

// PlanRule states when the savings reasons of engagement health apply.
const PlanRule = "the below 80 % / 95 % of plan reasons apply only when the plan is positive (transition months with a zero or negative plan are not judged)."
