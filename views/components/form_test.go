package components

import (
	"testing"
)

// A field with an error is marked invalid, points at its message, and shows the
// message beside it with the user's value kept.
func TestFormFieldWithErrorIsInvalidAndExplained(t *testing.T) {
	doc := render(t, FormField(Field{Name: "title", Label: "Title", Value: "x", Error: "Give the risk a title of at least 5 characters", Hint: "What could go wrong", Required: true}))
	field := one(t, doc, `.form-field[data-field="title"]`)
	if !field.HasClass("has-error") {
		t.Error("the field should be class has-error")
	}
	input := one(t, doc, `input#f-title`)
	if got := input.AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("aria-invalid %q, want true", got)
	}
	if got := input.AttrOr("value", ""); got != "x" {
		t.Errorf("the user's value is %q, want it kept", got)
	}
	if got := input.AttrOr("aria-describedby", ""); got != "f-title-hint f-title-err" {
		t.Errorf("aria-describedby %q, want the hint and the error", got)
	}
	if _, ok := input.Attr("required"); !ok {
		t.Error("a required field should be required")
	}
	msg := field.Find(`[data-testid="error-title"]`)
	if msg.Length() != 1 || msg.AttrOr("id", "") != "f-title-err" {
		t.Fatalf("the error message is not beside the field (found %d)", msg.Length())
	}
	if got := squash(msg.Text()); got != "Give the risk a title of at least 5 characters" {
		t.Errorf("message %q", got)
	}
	if got := one(t, doc, `label[for="f-title"]`).Text(); squash(got) != "Title *" {
		t.Errorf("label reads %q", squash(got))
	}
}

// Without an error there is no invalid mark and no message.
func TestFormFieldWithoutError(t *testing.T) {
	doc := render(t, FormField(Field{Name: "owner", Label: "Owner", Type: "select", Value: "2",
		Options: []Option{{"1", "Priya"}, {"2", "Tomás"}}}))
	sel := one(t, doc, `select#f-owner`)
	if _, ok := sel.Attr("aria-invalid"); ok {
		t.Error("a valid field should not be aria-invalid")
	}
	if doc.Find(".field-error").Length() != 0 {
		t.Error("a valid field should show no error")
	}
	if got := sel.Find("option[selected]").Text(); got != "Tomás" {
		t.Errorf("selected option %q, want the current value", got)
	}
	if sel.Find(`option[value=""]`).Length() != 1 {
		t.Error("an optional select should offer an empty choice")
	}
}

// Textareas and selects get the same error treatment as inputs.
func TestFormFieldErrorOnTextareaAndSelect(t *testing.T) {
	doc := render(t, FormField(Field{Name: "mitigation", Label: "Mitigation", Type: "textarea", Value: "typed <text>", Error: "Too long"}))
	ta := one(t, doc, "textarea#f-mitigation")
	if ta.AttrOr("aria-invalid", "") != "true" || ta.Text() != "typed <text>" {
		t.Errorf("textarea aria-invalid=%q text=%q", ta.AttrOr("aria-invalid", ""), ta.Text())
	}
	doc = render(t, FormField(Field{Name: "status", Label: "Status", Type: "select", Required: true, Error: "Choose a status", Options: Opts("open", "closed")}))
	if got := one(t, doc, "select#f-status").AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("select aria-invalid %q", got)
	}
	one(t, doc, `[data-testid="error-status"]`)
}

// The summary above a failed form counts the fields to fix.
func TestErrorSummary(t *testing.T) {
	doc := render(t, ErrorSummary(map[string]string{"title": "x", "owner": "y"}))
	if got := squash(one(t, doc, `[data-testid="form-errors"]`).Text()); got != "Please correct the 2 fields marked below." {
		t.Errorf("summary %q", got)
	}
	doc = render(t, ErrorSummary(nil))
	if doc.Find(`[data-testid="form-errors"]`).Length() != 0 {
		t.Error("no errors, no summary")
	}
}
