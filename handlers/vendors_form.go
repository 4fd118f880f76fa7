package handlers

import (
	"errors"
	"fmt"
	"net/http"
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
		SecurityPosture: c.FormValue("security_posture"), ReferencesChecked: c.FormValue("references_checked"),
		Notes: c.FormValue("notes"), Version: c.FormValue("version"),
	}}
}

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
		CulturalFit: n(v.CulturalFit), SecurityPosture: n(v.SecurityPosture), Notes: v.Notes, Version: n(v.Version)}
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
		if p.History, err = models.History(a.db.WithContext(c.Request().Context()), "vendor", current.ID); err != nil {
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

// createVendor stores a new vendor. Route: vendors.create; success redirects to
// its page; invalid input answers 422 with the form (#vendor-form for htmx).
func (a *App) createVendor(c echo.Context) error {
	f := readVendorForm(c)
	v, ch := f.Validate()
	if ch.OK() {
		err := models.CreateVendor(c.Request().Context(), a.db, &v, userID(c))
		if re, ok := models.IsRuleError(err); ok {
			ch.Add(re.Field, re.Msg)
		} else if err != nil {
			return err
		} else {
			web.AddFlash(c, "success", "Vendor "+v.Name+" created.")
			return web.Redirect(c, fmt.Sprintf("/vendors/%d", v.ID))
		}
	}
	p, err := a.vendorFormProps(c, nil, f.VendorValues)
	if err != nil {
		return err
	}
	p.Errors = ch
	return renderVendorForm(c, http.StatusUnprocessableEntity, p)
}

func (a *App) loadVendor(c echo.Context) (models.Vendor, error) {
	var v models.Vendor
	id, err := idParam(c, "id")
	if err != nil {
		return v, err
	}
	return v, a.db.WithContext(c.Request().Context()).First(&v, id).Error
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
	return renderVendorForm(c, http.StatusOK, p)
}

// updateVendor saves an edit. Route: vendors.update; success redirects to the
// vendor; 422 for invalid input and 409 for a stale version, both with the form
// and the user's input (#vendor-form for htmx).
func (a *App) updateVendor(c echo.Context) error {
	cur, err := a.loadVendor(c)
	if err != nil {
		return err
	}
	f := readVendorForm(c)
	in, ch := f.Validate()
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		return web.BadRequest("The form has no version; reload the page and try again.")
	}
	status := http.StatusUnprocessableEntity
	var conflict []components.ConflictRow
	if ch.OK() {
		err := models.UpdateVendor(c.Request().Context(), a.db, cur.ID, version, in, userID(c))
		switch re, isRule := models.IsRuleError(err); {
		case err == nil:
			web.AddFlash(c, "success", "Vendor "+in.Name+" saved.")
			return web.Redirect(c, fmt.Sprintf("/vendors/%d", cur.ID))
		case isRule:
			ch.Add(re.Field, re.Msg)
		case errors.Is(err, models.ErrStale):
			status = http.StatusConflict
			if cur, err = a.loadVendor(c); err != nil {
				return err
			}
			now := vendorValues(cur)
			f.Version = now.Version
			conflict = components.Differ(
				components.ConflictRow{Label: "Name", Yours: f.Name, Current: now.Name},
				components.ConflictRow{Label: "Country", Yours: f.Country, Current: now.Country},
				components.ConflictRow{Label: "Delivery locations", Yours: f.DeliveryLocations, Current: now.DeliveryLocations},
				components.ConflictRow{Label: "Tier", Yours: f.Tier, Current: now.Tier},
				components.ConflictRow{Label: "Expertise and experience", Yours: f.Expertise, Current: now.Expertise},
				components.ConflictRow{Label: "Track record", Yours: f.TrackRecord, Current: now.TrackRecord},
				components.ConflictRow{Label: "Financial stability", Yours: f.FinancialStability, Current: now.FinancialStability},
				components.ConflictRow{Label: "Cultural fit", Yours: f.CulturalFit, Current: now.CulturalFit},
				components.ConflictRow{Label: "Security posture", Yours: f.SecurityPosture, Current: now.SecurityPosture},
				components.ConflictRow{Label: "References checked", Yours: boolWord(f.ReferencesChecked == "1"), Current: boolWord(cur.ReferencesChecked)},
				components.ConflictRow{Label: "Notes", Yours: f.Notes, Current: now.Notes},
			)
		default:
			return err
		}
	}
	p, err := a.vendorFormProps(c, &cur, f.VendorValues)
	if err != nil {
		return err
	}
	p.Errors, p.Stale, p.Conflict = ch, status == http.StatusConflict, conflict
	return renderVendorForm(c, status, p)
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
