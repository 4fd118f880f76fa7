package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// testValues is a form's values as the forms declare them.
type testValues struct {
	Title   string `form:"title" label:"Title"`
	Owner   string `form:"owner" label:"Owner"`
	Due     string `form:"due" label:"Due"`
	Version string // not merged
}

// postContext is a request posting form, with what the form showed when shown is set.
func postContext(form url.Values, shown *testValues) echo.Context {
	if shown != nil {
		form.Set(ShownField, EncodeShown(*shown))
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	return echo.New().NewContext(req, httptest.NewRecorder())
}

func TestMergeStale(t *testing.T) {
	t.Parallel()
	shown := testValues{Title: "Old title", Owner: "Ann", Due: "2026-12-01", Version: "1"}
	for _, tc := range []struct {
		name      string
		post      url.Values // what the user submitted
		stored    testValues // the record now
		noShown   bool
		want      testValues
		changed   []string
		conflicts []string
	}{{
		name:    "a field only I changed is applied, one only they changed is kept",
		post:    url.Values{"title": {"My title"}, "owner": {"Ann"}, "due": {"2026-12-01"}},
		stored:  testValues{Title: "Old title", Owner: "Bob", Due: "2026-12-01", Version: "2"},
		want:    testValues{Title: "My title", Owner: "Bob", Due: "2026-12-01", Version: "2"},
		changed: []string{"Title"},
	}, {
		name:      "the same field changed differently is a conflict",
		post:      url.Values{"title": {"Old title"}, "owner": {"Cy"}, "due": {"2026-12-01"}},
		stored:    testValues{Title: "Old title", Owner: "Bob", Due: "2026-12-01", Version: "2"},
		want:      testValues{Title: "Old title", Owner: "Cy", Due: "2026-12-01", Version: "2"},
		changed:   []string{"Owner"},
		conflicts: []string{"owner"},
	}, {
		name:    "the same field changed the same way is not a conflict",
		post:    url.Values{"title": {"New title "}, "owner": {"Ann"}, "due": {"2026-12-01"}},
		stored:  testValues{Title: "New title", Owner: "Ann", Due: "2026-12-01", Version: "2"},
		want:    testValues{Title: "New title ", Owner: "Ann", Due: "2026-12-01", Version: "2"},
		changed: []string{"Title"},
	}, {
		name:   "a field absent from the post is left alone",
		post:   url.Values{"title": {"Old title"}, "owner": {"Ann"}},
		stored: testValues{Title: "Old title", Owner: "Ann", Due: "2027-01-15", Version: "2"},
		want:   testValues{Title: "Old title", Owner: "Ann", Due: "2027-01-15", Version: "2"},
	}, {
		name:      "without what was shown every difference is a conflict",
		post:      url.Values{"title": {"My title"}, "owner": {"Ann"}, "due": {"2026-12-01"}},
		stored:    testValues{Title: "Old title", Owner: "Bob", Due: "2026-12-01", Version: "2"},
		noShown:   true,
		want:      testValues{Title: "My title", Owner: "Ann", Due: "2026-12-01", Version: "2"},
		conflicts: []string{"title", "owner"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			sh := &shown
			if tc.noShown {
				sh = nil
			}
			c := postContext(tc.post, sh)
			var mine testValues
			ReadForm(c, &mine)
			m, ok := MergeStale(c, mine, tc.stored)
			if ok == tc.noShown {
				t.Errorf("ok = %v with noShown %v", ok, tc.noShown)
			}
			if m.Values != tc.want {
				t.Errorf("values %+v, want %+v", m.Values, tc.want)
			}
			if !reflect.DeepEqual(m.Changed, tc.changed) {
				t.Errorf("changed %q, want %q", m.Changed, tc.changed)
			}
			var names []string
			for _, f := range m.Conflicts {
				names = append(names, f.Name)
			}
			if !reflect.DeepEqual(names, tc.conflicts) {
				t.Errorf("conflicts %q, want %q", names, tc.conflicts)
			}
		})
	}
}

// A create form's cycle: 422 with the input kept, then a save; nothing is merged.
func TestSaveNew(t *testing.T) {
	t.Parallel()
	var rendered, saved []string
	var writes int
	form := func(errs map[string]string, err error) EditForm[testValues] {
		return EditForm[testValues]{
			Save: func(v testValues, version int) (map[string]string, error) {
				if version != 0 {
					t.Errorf("a new record saved against version %d", version)
				}
				if len(errs) == 0 && err == nil {
					writes++
				}
				return errs, err
			},
			Render: func(status int, st EditState[testValues]) error {
				if status != http.StatusUnprocessableEntity || st.Values.Title != "Typed" || st.Errors["due"] == "" {
					t.Errorf("render %d %+v", status, st)
				}
				rendered = append(rendered, st.Values.Title)
				return nil
			},
			Saved: func(merged string) error {
				if merged != "" {
					t.Errorf("a new record merged: %q", merged)
				}
				saved = append(saved, "saved")
				return nil
			},
		}
	}
	post := url.Values{"title": {"Typed"}, "due": {"soon"}, "version": {"7"}}
	mine := testValues{Title: "Typed", Due: "soon", Version: "7"}
	if err := SaveNew(postContext(post, nil), mine, form(map[string]string{"due": "Enter a date."}, nil)); err != nil {
		t.Fatal(err)
	}
	if err := SaveNew(postContext(post, nil), mine, form(nil, nil)); err != nil {
		t.Fatal(err)
	}
	other := errors.New("disk full")
	if err := SaveNew(postContext(post, nil), mine, form(nil, other)); !errors.Is(err, other) {
		t.Errorf("another error: %v", err)
	}
	if len(rendered) != 1 || len(saved) != 1 || writes != 1 {
		t.Errorf("rendered %q, saved %q, writes %d", rendered, saved, writes)
	}
}

// A grid's inputs (a map of input name to value) merge as a form's fields do.
func TestMergeStaleGrid(t *testing.T) {
	t.Parallel()
	type grid map[string]string
	shown := grid{"actual_1": "99.5", "actual_2": ""}
	form := url.Values{"actual_1": {"99.5"}, "actual_2": {"97"}, ShownField: {EncodeShown(shown)}}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	c := echo.New().NewContext(req, httptest.NewRecorder())
	mine := grid{"actual_1": "99.5", "actual_2": "97"}
	m, ok := MergeStale(c, mine, grid{"actual_1": "98", "actual_2": ""})
	if !ok || len(m.Conflicts) != 0 || !reflect.DeepEqual(m.Values, grid{"actual_1": "98", "actual_2": "97"}) {
		t.Errorf("their line kept and mine applied: %v, conflicts %v", m.Values, m.Conflicts)
	}
	m, _ = MergeStale(c, mine, grid{"actual_1": "99.5", "actual_2": "95"})
	if len(m.Conflicts) != 1 || m.Conflicts[0].Name != "actual_2" || m.Conflicts[0].Stored != "95" {
		t.Errorf("the same line changed by both: conflicts %v", m.Conflicts)
	}
}
