package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"portfolio/models"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// A form's values are a struct of strings, each field tagged with its input's
// name and its label: `form:"title" label:"Title"`. A form carries back what it
// showed in one hidden input, ShownField, so that a save made after someone
// else's can tell the fields its user changed from those they left alone, and
// apply only the former (MergeStale): two people editing different fields of
// one record both keep their change.

// ShownField is the hidden input holding the values a form showed.
const ShownField = "_shown"

// EncodeShown writes a form's values for ShownField.
func EncodeShown[V any](v V) string {
	b, err := json.Marshal(v)
	if err != nil { // a struct of strings always encodes
		panic(err)
	}
	return string(b)
}

// ReadForm fills v's tagged fields from the posted form.
func ReadForm[V any](c echo.Context, v *V) {
	rv := reflect.ValueOf(v).Elem()
	for i, f := range formFields(rv.Type()) {
		if f.name != "" {
			rv.Field(i).SetString(c.FormValue(f.name))
		}
	}
}

// Merge is a save made from a form rendered before the record last changed,
// merged with the record as it is now.
type Merge[V any] struct {
	// Values are the record's values now with the fields the user changed
	// set to theirs: what to save, or to show again on a conflict.
	Values V
	// Changed are the labels of the fields the user changed.
	Changed []string
	// Conflicts are the fields the user and someone else both changed, to
	// different values: each with the user's value and the stored one.
	Conflicts []ConflictField
}

// ConflictField is one field two people changed differently.
type ConflictField struct {
	Name, Label, Yours, Stored string
}

// MergeStale merges what the user submitted (mine) into the record as stored
// now (stored), against what their form showed (read from ShownField). A field
// the user changed takes their value; every other field takes the stored one.
// ok is false when the form carried nothing of what it showed (a page rendered
// before this existed): then every field of mine that differs from stored is
// a conflict, so that nothing stored is replaced unseen.
func MergeStale[V any](c echo.Context, mine, stored V) (m Merge[V], ok bool) {
	var shown V
	raw := c.FormValue(ShownField)
	ok = raw != "" && json.Unmarshal([]byte(raw), &shown) == nil
	if !ok {
		shown = stored
	}
	posted, err := c.FormParams()
	if err != nil {
		posted = nil
	}
	mv, sv, hv := reflect.ValueOf(mine), reflect.ValueOf(stored), reflect.ValueOf(shown)
	// merge settles one field: it returns the value to keep, having noted a
	// change of the user's or a conflict.
	merge := func(name, label, yours, now, was string) string {
		if _, sent := posted[name]; !sent {
			return now // not an input of this form (an unchecked box needs a hidden default): the stored value stands
		}
		if !ok { // nothing known of what was shown: any difference is a conflict
			if !sameValue(yours, now) {
				m.Conflicts = append(m.Conflicts, ConflictField{Name: name, Label: label, Yours: yours, Stored: now})
				return yours
			}
			return now
		}
		if sameValue(yours, was) {
			return now // left as shown: the stored value stands
		}
		m.Changed = append(m.Changed, label)
		if !sameValue(now, was) && !sameValue(yours, now) {
			m.Conflicts = append(m.Conflicts, ConflictField{Name: name, Label: label, Yours: yours, Stored: now})
		}
		return yours
	}
	out := reflect.New(mv.Type()).Elem()
	if mv.Kind() == reflect.Map {
		// A grid of inputs (one per service level, say): a map of input name
		// to value, each entry a field named and labelled by its key.
		out.Set(reflect.MakeMap(mv.Type()))
		keys := map[string]bool{}
		for _, k := range append(mv.MapKeys(), sv.MapKeys()...) {
			keys[k.String()] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		get := func(v reflect.Value, k string) string {
			if !v.IsValid() || v.IsNil() {
				return ""
			}
			if x := v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())); x.IsValid() {
				return x.String()
			}
			return ""
		}
		for _, k := range names {
			kv := reflect.ValueOf(k).Convert(mv.Type().Key())
			out.SetMapIndex(kv, reflect.ValueOf(merge(k, k, get(mv, k), get(sv, k), get(hv, k))).Convert(mv.Type().Elem()))
		}
		m.Values = out.Interface().(V)
		return m, ok
	}
	out.Set(sv)
	for i, f := range formFields(mv.Type()) {
		if f.name == "" {
			continue
		}
		out.Field(i).SetString(merge(f.name, f.label, mv.Field(i).String(), sv.Field(i).String(), hv.Field(i).String()))
	}
	m.Values = out.Interface().(V)
	return m, ok
}

// sameValue compares two values as a person would read them: surrounding
// spaces and the line endings browsers send do not count.
func sameValue(a, b string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(a) == norm(b)
}

type formField struct{ name, label string }

// formFields are the input names and labels of a values struct's fields, by
// index ("" for an untagged field, e.g. the version, which is not merged).
func formFields(t reflect.Type) []formField {
	out := make([]formField, t.NumField())
	for i := range out {
		f := t.Field(i)
		if f.Type.Kind() != reflect.String || !f.IsExported() {
			continue
		}
		out[i] = formField{name: f.Tag.Get("form"), label: f.Tag.Get("label")}
		if out[i].label == "" {
			out[i].label = f.Name
		}
	}
	return out
}

// EditForm is one edit form's part in SaveEdit: how to read, save and render
// its record, whose values are V (a struct of tagged strings).
type EditForm[V any] struct {
	// Load reads the record as the form shows it, and its version, now.
	Load func() (V, int, error)
	// Save checks v and writes it if the record is still at version: field
	// errors for a 422, or models.ErrStale when it moved on meanwhile (SaveEdit
	// then loads and merges again), or another error.
	Save func(v V, version int) (map[string]string, error)
	// Render shows the form again: 422 with errors, or 409 with conflicts.
	Render func(status int, s EditState[V]) error
	// Saved answers a save: its flash and redirect. merged is "" or the end of
	// a sentence naming the change the save was merged with (MergeNote).
	Saved func(merged string) error
	// LastChange names who last changed the record and when (for the notes).
	LastChange func() (who, when string)
}

// EditState is what an edit form is rendered again with.
type EditState[V any] struct {
	Values     V
	Version    int    // the version the form saves against
	Shown      string // the values the form counts as shown (EncodeShown)
	Errors     map[string]string
	Conflicts  []ConflictField // on a 409: the fields both changed
	ConflictBy string          // who changed them
}

// SaveEdit is the one cycle of an edit form posted with its version: a form
// at the record's version saves as it is; a form rendered before someone else's
// save is merged with it (MergeStale) and saved with a note naming that
// change; fields both changed answer 409 with just those fields and both
// values, nothing stored, and the form holding the stored record with the
// user's changes (saving it again keeps the other person's); invalid input
// answers 422 with the input kept. A save that meets another save at the
// same moment merges again, a few times.
func SaveEdit[V any](c echo.Context, mine V, postedVersion string, f EditForm[V]) error {
	stored, version, err := f.Load()
	if err != nil {
		return err
	}
	shown := c.FormValue(ShownField)
	for attempt := 0; ; attempt++ {
		v, merged := mine, ""
		if strings.TrimSpace(postedVersion) != strconv.Itoa(version) {
			m, _ := MergeStale(c, mine, stored)
			if len(m.Conflicts) > 0 {
				by, _ := f.LastChange()
				return f.Render(http.StatusConflict, EditState[V]{Values: m.Values, Version: version, Shown: EncodeShown(stored),
					Conflicts: m.Conflicts, ConflictBy: by})
			}
			v, shown = m.Values, EncodeShown(stored)
			merged = MergeNote(f.LastChange())
		}
		errs, err := f.Save(v, version)
		var invalid models.Invalid
		if errors.As(err, &invalid) { // the domain's rules refused it: a 422 like the form's own checks
			errs, err = invalid, nil
		}
		switch {
		case errors.Is(err, models.ErrStale) && attempt < 3:
			if stored, version, err = f.Load(); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		case len(errs) > 0:
			return f.Render(http.StatusUnprocessableEntity, EditState[V]{Values: v, Version: version, Shown: shown, Errors: errs})
		}
		return f.Saved(merged)
	}
}

// SaveNew is the cycle of a form that creates a record: SaveEdit with nothing
// to merge (the record does not exist yet, so no one else can have changed
// it). Invalid input answers 422 through f.Render with the input kept; a
// save calls f.Saved. f.Load and f.LastChange are not used.
func SaveNew[V any](c echo.Context, mine V, f EditForm[V]) error {
	f.Load = func() (V, int, error) {
		var zero V
		return zero, 0, nil
	}
	return SaveEdit(c, mine, "0", f)
}

// MergeNote ends the message of a save merged with someone else's change:
// "merged with a change by Ann Lee at 10:42 on 7 Dec 2026."
func MergeNote(who, when string) string {
	if when == "" {
		return "merged with a change saved meanwhile."
	}
	if who == "Someone else" {
		who = "someone else"
	}
	return "merged with a change by " + who + " at " + when + "."
}

// Merged is a save's message with the note of the change it was merged with,
// if any: "Vendor Acme saved." or "Vendor Acme saved, merged with a change by …".
func Merged(msg, merged string) string {
	if merged == "" {
		return msg
	}
	return strings.TrimSuffix(msg, ".") + ", " + merged
}
