package components

import (
	"strings"

	"github.com/a-h/templ"
)

func lower(s string) string { return strings.ToLower(s) }

// ScrollRegion is the attributes of a table's wrapper that scrolls sideways
// on a narrow screen: a named region in the tab order, so a keyboard can
// reach and scroll the columns that do not fit (axe's
// scrollable-region-focusable; the label is what a screen reader announces
// on focus).
func ScrollRegion(label string) templ.Attributes {
	return templ.Attributes{"role": "region", "aria-label": label, "tabindex": "0"}
}
