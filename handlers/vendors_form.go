package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// vendorForm is the vendor form as typed; Validate parses it.
type vendorForm struct{ pages.VendorValues }

func readVendorForm(c echo.Context) vendorForm {
	return vendorForm{pages.VendorValues{
		Name: c.FormValue("name"), Country: c.FormValue("country"), DeliveryLocations: c.FormValue("delivery_locations"),
		Tier: c.FormValue("tier"), Expertise: c.FormValue("expertise"), TrackRecord: c.FormValue("track_record"),
		FinancialStability: c.FormValue("financial_stability"), CulturalFit: c.FormValue("cultural_fit"),
		SecurityPosture: c.FormValue("security_posture"), ReferencesChecked: checkbox(c, "references_checked"),
		Notes: c.FormValue("notes"), Version: c.FormValue("version"),
	}}
}

// checkbox reads a box that the form sends with a hidden "0" before it: "1"
// when ticked, else "0".
func checkbox(c echo.Context, name string) string {
	if form, err := c.FormParams(); err == nil && slices.ContainsFunc(form[name], ticked) {
		return "1"
	}
	return "0"
}

// ticked reads a box's posted value as browsers and scripts send it.
func ticked(v string) bool { return v == "1" || v == "true" || v == "on" }

// Validate parses the form into a vendor: every scorecard criterion 1–5.
func (f vendorForm) Validate() (models.Vendor, web.Checker) {
	ch := web.Checker{}
	v := models.Vendor{
		Name:               ch.Text("name", f.Name, true, 120),
		Country:            ch.Text("country", f.Country, false, 80),
		DeliveryLocations:  ch.Text("delivery_locations", f.DeliveryLocations, false, 200),
		Tier:               ch.Int("tier", f.Tier, 1, 3),
		Expertise:          ch.Int("expertise", f.Expertise, 1, 5),
		TrackRecord:        ch.Int("track_record", f.TrackRecord, 1, 5),
		FinancialStability: ch.Int("financial_stability", f.FinancialStability, 1, 5),
		CulturalFit:        ch.Int("cultural_fit", f.CulturalFit, 1, 5),
		SecurityPosture:    ch.Int("security_posture", f.SecurityPosture, 1, 5),
		ReferencesChecked:  f.ReferencesChecked == "1",
		Notes:              ch.Text("notes", f.Notes, false, 4000),
	}
	return v, ch
}

func vendorValues(v models.Vendor) pages.VendorValues {
	n := strconv.Itoa
	out := pages.VendorValues{Name: v.Name, Country: v.Country, DeliveryLocations: v.DeliveryLocations, Tier: n(v.Tier),
		Expertise: n(v.Expertise), TrackRecord: n(v.TrackRecord), FinancialStability: n(v.FinancialStability),
		CulturalFit: n(v.CulturalFit), SecurityPosture: n(v.SecurityPosture), ReferencesChecked: "0", Notes: v.Notes, Version: n(v.Version)}
	if v.ReferencesChecked {
		out.ReferencesChecked = "1"
	}
	return out
}

func (a *App) vendorFormProps(c echo.Context, current *models.Vendor, v pages.VendorValues) (pages.VendorFormProps, error) {
	title := "New vendor"
	if current != nil {
		title = "Edit " + current.Name
	}
	p := pages.VendorFormProps{Chrome: web.Chrome(c, title, "vendors"), Current: current, V: v, Errors: map[string]string{}}
	if current != nil {
		var err error
		if p.History, err = models.HistoryOf(c.Request().Context(), a.db, "vendor", current.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

func renderVendorForm(c echo.Context, status int, p pages.VendorFormProps) error {
	return web.Render(c, status, pages.VendorForm(p), pages.VendorFormPanel(p))
}

// newVendor shows the empty vendor form. Route: vendors.new.
func (a *App) newVendor(c echo.Context) error {
	p, err := a.vendorFormProps(c, nil, pages.VendorValues{Tier: "2"})
	if err != nil {
		return err
	}
	return renderVendorForm(c, http.StatusOK, p)
}

// createVendor stores a new vendor. Route: vendors.create. The cycle of every
// create form (web.SaveNew): invalid → 422 with the form (#vendor-form for
// htmx); success → 303 to its page (HX-Redirect for htmx).
func (a *App) createVendor(c echo.Context) error {
	var saved models.Vendor
	return web.SaveNew(c, readVendorForm(c).VendorValues, web.EditForm[pages.VendorValues]{
		Save: func(v pages.VendorValues, _ int) (map[string]string, error) {
			in, ch := vendorForm{v}.Validate()
			if !ch.OK() {
				return ch, nil
			}
			err := models.CreateVendor(c.Request().Context(), a.db, &in, userID(c))
			if re, ok := models.IsRuleError(err); ok {
				return map[string]string{re.Field: re.Msg}, nil
			}
			saved = in
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.VendorValues]) error {
			p, err := a.vendorFormProps(c, nil, st.Values)
			if err != nil {
				return err
			}
			p.Errors = st.Errors
			return renderVendorForm(c, status, p)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Vendor "+saved.Name+" created.")
			return web.Redirect(c, fmt.Sprintf("/vendors/%d", saved.ID))
		},
	})
}

func (a *App) loadVendor(c echo.Context) (models.Vendor, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Vendor{}, err
	}
	return models.First[models.Vendor](c.Request().Context(), a.db, id)
}

// editVendor shows a vendor's form with its history. Route: vendors.edit.
func (a *App) editVendor(c echo.Context) error {
	v, err := a.loadVendor(c)
	if err != nil {
		return err
	}
	p, err := a.vendorFormProps(c, &v, vendorValues(v))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(vendorValues(v))
	return renderVendorForm(c, http.StatusOK, p)
}

// updateVendor saves an edit. Route: vendors.update. The cycle of every edit
// form (web.SaveEdit): invalid → 422; a form rendered before someone else saved
// is merged field by field, the flash naming whose change; where both changed
// the same field, 409 with just those fields; success → 303 to the vendor
// (#vendor-form for htmx on 422 and 409).
func (a *App) updateVendor(c echo.Context) error {
	cur, err := a.loadVendor(c)
	if err != nil {
		return err
	}
	mine := readVendorForm(c).VendorValues
	var saved models.Vendor
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.VendorValues]{
		Load: func() (pages.VendorValues, int, error) {
			var err error
			cur, err = a.loadVendor(c)
			return vendorValues(cur), cur.Version, err
		},
		Save: func(v pages.VendorValues, version int) (map[string]string, error) {
			in, ch := vendorForm{v}.Validate()
			if !ch.OK() {
				return ch, nil
			}
			err := models.UpdateVendor(c.Request().Context(), a.db, cur.ID, version, in, userID(c))
			if re, ok := models.IsRuleError(err); ok {
				return map[string]string{re.Field: re.Msg}, nil
			}
			saved = in
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.VendorValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.vendorFormProps(c, &cur, v)
			if err != nil {
				return err
			}
			p.Shown = st.Shown
			if st.Errors != nil {
				p.Errors = st.Errors
			}
			if status == http.StatusConflict {
				p.Stale, p.ConflictBy = true, st.ConflictBy
				for _, f := range st.Conflicts {
					if f.Name == "references_checked" {
						f.Yours, f.Stored = boolWord(f.Yours == "1"), boolWord(f.Stored == "1")
					}
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return renderVendorForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Vendor "+saved.Name+" saved.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/vendors/%d", cur.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, "vendor", cur.ID) },
	})
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// archiveVendor and restoreVendor take a vendor out of use and back. Routes:
// vendors.archive, vendors.restore; success redirects to the vendor; a refusal
// (active engagements: 422; changed meanwhile: 409) shows the vendor page with the reason.
func (a *App) archiveVendor(c echo.Context) error { return a.setVendorArchived(c, true) }

func (a *App) restoreVendor(c echo.Context) error { return a.setVendorArchived(c, false) }

func (a *App) setVendorArchived(c echo.Context, archived bool) error {
	cur, err := a.loadVendor(c)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return web.BadRequest("The form has no version; reload the page and try again.")
	}
	err = models.SetVendorArchived(c.Request().Context(), a.db, cur.ID, version, archived, userID(c))
	status, msg := 0, ""
	switch re, isRule := models.IsRuleError(err); {
	case err == nil:
		done := map[bool]string{true: " archived: it no longer appears in the vendor list or the choices for new engagements.", false: " restored."}
		web.AddFlash(c, "success", cur.Name+done[archived])
		return web.Redirect(c, fmt.Sprintf("/vendors/%d", cur.ID))
	case isRule:
		status, msg = http.StatusUnprocessableEntity, re.Msg
	case errors.Is(err, models.ErrStale):
		status, msg = http.StatusConflict, "Someone else changed this vendor meanwhile; the page now shows it as it is. Check it and try again."
	default:
		return err
	}
	return a.renderVendorPage(c, cur.ID, status, msg)
}
