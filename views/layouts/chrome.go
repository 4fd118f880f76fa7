// Package layouts holds the document shell every page is rendered in.
package layouts

import "strconv"

// Chrome is what the shell needs from the request: handlers fill it with web.Chrome.
type Chrome struct {
	Title     string
	Active    string // the navigation entry to mark current
	Path      string
	UserName  string
	UserRole  string
	CSRF      string
	RequestID string
	Flashes   []Flash
	Unread    int64 // the user's unread notices (the bell)
	// ExtraCSS are stylesheets a page adds (the review pack's per-quarter print sheet).
	ExtraCSS []string
}

// Flash is a one-time message.
type Flash struct {
	Kind string
	Text string
}

// UnreadText is the bell's count: "99+" past 99, so that it keeps its size.
func (c Chrome) UnreadText() string {
	if c.Unread > 99 {
		return "99+"
	}
	return strconv.FormatInt(c.Unread, 10)
}

// SignedIn reports whether a user is signed in.
func (c Chrome) SignedIn() bool { return c.UserName != "" }

// NavItem is one entry of the main navigation.
type NavItem struct {
	Key, Label, Href string
}

// Nav is the main navigation, in order.
var Nav = []NavItem{
	{"dashboard", "Dashboard", "/"},
	{"engagements", "Engagements", "/engagements"},
	{"savings", "Savings", "/savings"},
	{"risks", "Risk register", "/risks"},
	{"transfers", "Transfers", "/transfers"},
	{"vendors", "Vendors", "/vendors"},
	{"lessons", "Lessons", "/lessons"},
	{"reviews", "Reviews", "/reviews"},
}

// AdminNav are the navigation entries only administrators see (after Nav).
var AdminNav = []NavItem{
	{"users", "Users", "/users"},
	{"fx", "Exchange rates", "/fx"},
	{"settings", "Settings", "/settings"},
	{"reminders", "Reminders", "/reminders"},
}

// NavItems is the navigation for this user: Nav, plus AdminNav for admins.
func (c Chrome) NavItems() []NavItem {
	if c.UserRole != "admin" {
		return Nav
	}
	return append(append([]NavItem(nil), Nav...), AdminNav...)
}

// HTMXConfig makes htmx swap 422 (form errors) and 409 (conflicts) like
// successes, never evaluate strings as script, and add no inline styles (CSP).
const HTMXConfig = `{"includeIndicatorStyles":false,"historyRestoreAsHxRequest":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"409","swap":true},{"code":"[45]..","swap":false,"error":true}]}`
