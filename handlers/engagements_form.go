package handlers

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/pages"
	"portfolio/web"
)

// engagementForm is the engagement form as typed; Validate parses it.
type engagementForm struct{ pages.EngagementValues }

func readEngagementForm(c echo.Context) engagementForm {
	f := engagementForm{pages.EngagementValues{
		Code: c.FormValue("code"), Name: c.FormValue("name"), Model: c.FormValue("model"), Tower: c.FormValue("tower"),
		VendorID: c.FormValue("vendor_id"), BusinessUnit: c.FormValue("business_unit"), DeliveryLocation: c.FormValue("delivery_location"),
		Sponsor: c.FormValue("sponsor"), ManagerID: c.FormValue("manager_id"), Phase: c.FormValue("phase"),
		StartDate: c.FormValue("start_date"), ContractEnd: c.FormValue("contract_end"), PlannedTransfer: c.FormValue("planned_transfer"),
		ContractValue: c.FormValue("contract_value"), Currency: c.FormValue("currency"), PricingModel: c.FormValue("pricing_model"),
		VendorHeadcount: c.FormValue("vendor_headcount"), ClientHeadcount: c.FormValue("client_headcount"),
		Description: c.FormValue("description"), Version: c.FormValue("version"),
	}}
	if form, err := c.FormParams(); err == nil {
		f.Managers = managerList(form["managers"])
	}
	return f
}

// managerList writes the further managers' ids as one value, in ascending
// order without repeats, so that the same people ticked in another order are
// the same value to a merge. The blank the form always posts is left out.
func managerList(ids []string) string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b string) int { // as numbers: "9" before "10"
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	return strings.Join(slices.Compact(out), ",")
}

// Validate parses the form into an engagement and its further managers. A new
// engagement names its phase; an edit keeps the stored one (moves are dated elsewhere).
func (f engagementForm) Validate(creating bool) (models.Engagement, []uint, web.Checker) {
	ch := web.Checker{}
	e := models.Engagement{
		Code:             ch.Text("code", f.Code, true, 40),
		Name:             ch.Text("name", f.Name, true, 200),
		Model:            ch.OneOf("model", f.Model, []string{models.ModelITO, models.ModelBOT}),
		Tower:            ch.OneOf("tower", f.Tower, models.Towers),
		BusinessUnit:     ch.Text("business_unit", f.BusinessUnit, false, 120),
		DeliveryLocation: ch.Text("delivery_location", f.DeliveryLocation, false, 120),
		Sponsor:          ch.Text("sponsor", f.Sponsor, false, 120),
		ManagerID:        ch.ID("manager_id", f.ManagerID),
		StartDate:        ch.Date("start_date", f.StartDate, false),
		ContractEnd:      ch.Date("contract_end", f.ContractEnd, false),
		PlannedTransfer:  ch.Date("planned_transfer", f.PlannedTransfer, false),
		Currency:         ch.OneOf("currency", f.Currency, pages.CurrencyCodes()),
		Description:      ch.Text("description", f.Description, false, 4000),
	}
	if id := ch.ID("vendor_id", f.VendorID); id != nil {
		e.VendorID = *id
	} else {
		ch.Add("vendor_id", "Choose one.")
	}
	if f.PricingModel != "" {
		e.PricingModel = ch.OneOf("pricing_model", f.PricingModel, models.PricingModels)
	}
	if f.ContractValue != "" {
		e.ContractValue = ch.Amount("contract_value", f.ContractValue, false)
	}
	e.VendorHeadcount = headcount(ch, "vendor_headcount", f.VendorHeadcount)
	e.ClientHeadcount = headcount(ch, "client_headcount", f.ClientHeadcount)
	if creating {
		e.Phase = ch.OneOf("phase", f.Phase, models.PhasesOf(e.Model))
	}
	if !e.StartDate.IsZero() && !e.ContractEnd.IsZero() && e.ContractEnd.Before(e.StartDate) {
		ch.Add("contract_end", "The contract cannot end before it starts.")
	}
	if !e.PlannedTransfer.IsZero() {
		switch {
		case e.Model != models.ModelBOT:
			ch.Add("planned_transfer", "Only BOT programmes are transferred; leave this empty for ITO.")
		case !e.StartDate.IsZero() && e.PlannedTransfer.Before(e.StartDate):
			ch.Add("planned_transfer", "The transfer cannot be planned before the start.")
		}
	}
	var managers []uint
	for _, s := range f.ManagerIDs() {
		if id := ch.ID("managers", s); id != nil {
			managers = append(managers, *id)
		}
	}
	return e, managers, ch
}

func headcount(ch web.Checker, field, v string) int {
	if v == "" {
		return 0
	}
	return ch.Int(field, v, 0, 1_000_000)
}

// engagementValues fills a form from a stored engagement.
func engagementValues(e models.Engagement, managers []models.User) pages.EngagementValues {
	v := pages.EngagementValues{
		Code: e.Code, Name: e.Name, Model: e.Model, Tower: e.Tower, VendorID: fmt.Sprint(e.VendorID), BusinessUnit: e.BusinessUnit,
		DeliveryLocation: e.DeliveryLocation, Sponsor: e.Sponsor, Phase: e.Phase, StartDate: e.StartDate.String(),
		ContractEnd: e.ContractEnd.String(), PlannedTransfer: e.PlannedTransfer.String(),
		ContractValue: models.FormatMinor(e.ContractValue, true), Currency: e.Currency, PricingModel: e.PricingModel,
		VendorHeadcount: strconv.Itoa(e.VendorHeadcount), ClientHeadcount: strconv.Itoa(e.ClientHeadcount),
		Description: e.Description, Version: strconv.Itoa(e.Version),
	}
	if e.ManagerID != nil {
		v.ManagerID = fmt.Sprint(*e.ManagerID)
	}
	ids := make([]string, len(managers))
	for i, m := range managers {
		ids[i] = fmt.Sprint(m.ID)
	}
	v.Managers = managerList(ids)
	return v
}

// engagementFormProps loads the choices of the form: vendors in use (and the
// engagement's own, even if archived) and the users who may manage.
func (a *App) engagementFormProps(c echo.Context, current *models.Engagement, v pages.EngagementValues) (pages.EngagementFormProps, error) {
	ctx := c.Request().Context()
	title := "New engagement"
	if current != nil {
		title = "Edit " + current.Name
	}
	p := pages.EngagementFormProps{Chrome: web.Chrome(c, title, "engagements"), Current: current, V: v, Errors: map[string]string{}}
	keep := uint(0)
	if current != nil {
		keep = current.VendorID
	}
	var err error
	if p.Vendors, err = models.VendorChoices(ctx, a.db, keep, false); err != nil {
		return p, err
	}
	if p.Users, err = models.ManagerChoices(ctx, a.db); err != nil {
		return p, err
	}
	if current != nil {
		if p.History, err = models.HistoryOf(ctx, a.db, "engagement", current.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (a *App) renderEngagementForm(c echo.Context, status int, p pages.EngagementFormProps) error {
	return web.Render(c, status, pages.EngagementForm(p), pages.EngagementFormPanel(p))
}

// newEngagement shows the empty engagement form. Route: engagements.new.
func (a *App) newEngagement(c echo.Context) error {
	p, err := a.engagementFormProps(c, nil, pages.EngagementValues{Model: models.ModelITO, Phase: "Selection", Currency: "USD"})
	if err != nil {
		return err
	}
	return a.renderEngagementForm(c, http.StatusOK, p)
}

// createEngagement stores a new engagement. Route: engagements.create. The
// cycle of every create form (web.SaveNew): invalid → 422 with the form (the
// #engagement-form partial for htmx); success → 303 to its page (HX-Redirect
// for htmx).
func (a *App) createEngagement(c echo.Context) error {
	var saved models.Engagement
	return web.SaveNew(c, readEngagementForm(c).EngagementValues, web.EditForm[pages.EngagementValues]{
		Save: func(v pages.EngagementValues, _ int) (map[string]string, error) {
			e, managers, ch := engagementForm{v}.Validate(true)
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.engagementWrite(c)
			if err != nil {
				return nil, err
			}
			err = models.CreateEngagement(c.Request().Context(), a.db, w, &e, managers)
			if re, ok := models.IsRuleError(err); ok {
				return map[string]string{re.Field: re.Msg}, nil
			}
			saved = e
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.EngagementValues]) error {
			p, err := a.engagementFormProps(c, nil, st.Values)
			if err != nil {
				return err
			}
			p.Errors = st.Errors
			return a.renderEngagementForm(c, status, p)
		},
		Saved: func(string) error {
			web.AddFlash(c, "success", "Engagement "+saved.Code+" created.")
			return web.Redirect(c, fmt.Sprintf("/engagements/%d", saved.ID))
		},
	})
}

// editEngagement shows the form of a stored engagement with its history. Route: engagements.edit.
func (a *App) editEngagement(c echo.Context) error {
	e, managers, err := a.loadEngagementForEdit(c)
	if err != nil {
		return err
	}
	p, err := a.engagementFormProps(c, &e, engagementValues(e, managers))
	if err != nil {
		return err
	}
	p.Shown = web.EncodeShown(engagementValues(e, managers))
	return a.renderEngagementForm(c, http.StatusOK, p)
}

func (a *App) loadEngagementForEdit(c echo.Context) (models.Engagement, []models.User, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Engagement{}, nil, err
	}
	ctx := c.Request().Context()
	e, err := models.EngagementByID(ctx, a.db, id)
	if err != nil {
		return e, nil, err
	}
	managers, err := models.EngagementManagers(ctx, a.db, id)
	return e, managers, err
}

// updateEngagement saves an edit. Route: engagements.update. The cycle of
// every edit form (web.SaveEdit): invalid → 422; a form rendered before someone
// else saved is merged field by field, the flash naming whose change; where
// both changed the same field, 409 with just those fields; success → 303 to
// the engagement (the #engagement-form partial for htmx on 422 and 409).
func (a *App) updateEngagement(c echo.Context) error {
	cur, _, err := a.loadEngagementForEdit(c)
	if err != nil {
		return err
	}
	mine := normalEngagementValues(readEngagementForm(c).EngagementValues)
	var saved models.Engagement
	return web.SaveEdit(c, mine, mine.Version, web.EditForm[pages.EngagementValues]{
		Load: func() (pages.EngagementValues, int, error) {
			e, managers, err := a.loadEngagementForEdit(c)
			cur = e
			return engagementValues(e, managers), e.Version, err
		},
		Save: func(v pages.EngagementValues, version int) (map[string]string, error) {
			in, managers, ch := engagementForm{v}.Validate(false)
			if !ch.OK() {
				return ch, nil
			}
			w, err := a.engagementWrite(c)
			if err != nil {
				return nil, err
			}
			err = models.UpdateEngagement(c.Request().Context(), a.db, w, cur.ID, version, in, managers)
			if re, ok := models.IsRuleError(err); ok {
				return map[string]string{re.Field: re.Msg}, nil
			}
			saved = in
			return nil, err
		},
		Render: func(status int, st web.EditState[pages.EngagementValues]) error {
			v := st.Values
			v.Version = strconv.Itoa(st.Version)
			p, err := a.engagementFormProps(c, &cur, v)
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
					f.Yours, f.Stored = a.engagementFieldText(c, f.Name, f.Yours), a.engagementFieldText(c, f.Name, f.Stored)
					p.Conflict = append(p.Conflict, components.ConflictRow{Label: f.Label, Yours: f.Yours, Current: f.Stored})
				}
			}
			return a.renderEngagementForm(c, status, p)
		},
		Saved: func(merged string) error {
			msg := web.Merged("Engagement "+saved.Code+" saved.", merged)
			web.AddFlash(c, "success", msg)
			return web.Redirect(c, fmt.Sprintf("/engagements/%d", cur.ID))
		},
		LastChange: func() (string, string) { return a.lastChange(c, "engagement", cur.ID) },
	})
}

// normalEngagementValues writes the contract value and headcounts as the form
// shows stored ones ("12500000.5" → "12,500,000.50", blank → 0), so that a
// merge counts only a changed figure as a change. What does not parse stays
// as typed, for the 422.
func normalEngagementValues(v pages.EngagementValues) pages.EngagementValues {
	if strings.TrimSpace(v.ContractValue) == "" {
		v.ContractValue = models.FormatMinor(0, true)
	} else if n, err := models.ParseAmount(v.ContractValue); err == nil {
		v.ContractValue = models.FormatMinor(n, true)
	}
	count := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "0"
		}
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return strconv.Itoa(n)
		}
		return s
	}
	v.VendorHeadcount, v.ClientHeadcount = count(v.VendorHeadcount), count(v.ClientHeadcount)
	return v
}

// engagementFieldText is a field's value as a 409 lists it: people and the
// vendor by name rather than by id.
func (a *App) engagementFieldText(c echo.Context, field, v string) string {
	switch field {
	case "vendor_id":
		return a.vendorName(c, v)
	case "manager_id":
		if v == "" {
			return "nobody"
		}
		return a.userName(c, v)
	case "managers":
		if v == "" {
			return "none"
		}
		var names []string
		for _, id := range strings.Split(v, ",") {
			names = append(names, a.userName(c, id))
		}
		return strings.Join(names, ", ")
	}
	return v
}

// vendorName and userName name a record by its id as typed, for a conflict listing.
func (a *App) vendorName(c echo.Context, id string) string {
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		return id
	}
	if v, err := models.First[models.Vendor](c.Request().Context(), a.db, uint(n)); err == nil {
		return v.Name
	}
	return id
}

func (a *App) userName(c echo.Context, id string) string {
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		return id
	}
	if u, err := models.First[models.User](c.Request().Context(), a.db, uint(n)); err == nil {
		return u.Name
	}
	return id
}

// engagementWrite gathers what an engagement write needs: settings, today and the user.
func (a *App) engagementWrite(c echo.Context) (models.Actor, error) {
	s, err := a.settings(c)
	return models.Actor{Settings: s, Today: a.today(), UserID: userID(c)}, err
}
