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
		f.Managers = form["managers"]
	}
	return f
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
	for _, s := range f.Managers {
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
	for _, m := range managers {
		v.Managers = append(v.Managers, fmt.Sprint(m.ID))
	}
	return v
}

// engagementFormProps loads the choices of the form: vendors in use (and the
// engagement's own, even if archived) and the users who may manage.
func (a *App) engagementFormProps(c echo.Context, current *models.Engagement, v pages.EngagementValues) (pages.EngagementFormProps, error) {
	db := a.db.WithContext(c.Request().Context())
	title := "New engagement"
	if current != nil {
		title = "Edit " + current.Name
	}
	p := pages.EngagementFormProps{Chrome: web.Chrome(c, title, "engagements"), Current: current, V: v, Errors: map[string]string{}}
	q := db.Select("id, name").Order("name")
	if current != nil {
		q = q.Where("NOT archived OR id = ?", current.VendorID)
	} else {
		q = q.Where("NOT archived")
	}
	if err := q.Find(&p.Vendors).Error; err != nil {
		return p, err
	}
	if err := db.Select("id, name, role").Where("role IN ? AND NOT disabled", []string{models.RoleManager, models.RoleAdmin}).
		Order("name").Find(&p.Users).Error; err != nil {
		return p, err
	}
	if current != nil {
		var err error
		if p.History, err = models.History(db, "engagement", current.ID); err != nil {
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

// createEngagement stores a new engagement. Route: engagements.create; success
// redirects to its page (HX-Redirect for htmx); invalid input answers 422 with
// the form (the #engagement-form partial for htmx).
func (a *App) createEngagement(c echo.Context) error {
	f := readEngagementForm(c)
	e, managers, ch := f.Validate(true)
	if ch.OK() {
		w, err := a.engagementWrite(c)
		if err != nil {
			return err
		}
		err = models.CreateEngagement(c.Request().Context(), a.db, w, &e, managers)
		if re, ok := models.IsRuleError(err); ok {
			ch.Add(re.Field, re.Msg)
		} else if err != nil {
			return err
		} else {
			web.AddFlash(c, "success", "Engagement "+e.Code+" created.")
			return web.Redirect(c, fmt.Sprintf("/engagements/%d", e.ID))
		}
	}
	p, err := a.engagementFormProps(c, nil, f.EngagementValues)
	if err != nil {
		return err
	}
	p.Errors = ch
	return a.renderEngagementForm(c, http.StatusUnprocessableEntity, p)
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
	return a.renderEngagementForm(c, http.StatusOK, p)
}

func (a *App) loadEngagementForEdit(c echo.Context) (models.Engagement, []models.User, error) {
	var e models.Engagement
	id, err := idParam(c, "id")
	if err != nil {
		return e, nil, err
	}
	db := a.db.WithContext(c.Request().Context())
	if err := db.First(&e, id).Error; err != nil {
		return e, nil, err
	}
	var managers []models.User
	err = db.Select("id, name").Where("id IN (SELECT user_id FROM engagement_managers WHERE engagement_id = ?)", id).Order("name").Find(&managers).Error
	return e, managers, err
}

// updateEngagement saves an edit. Route: engagements.update; success redirects
// to the engagement; invalid input answers 422 and a stale version 409, both
// with the form and the user's input (the #engagement-form partial for htmx).
func (a *App) updateEngagement(c echo.Context) error {
	cur, _, err := a.loadEngagementForEdit(c)
	if err != nil {
		return err
	}
	f := readEngagementForm(c)
	in, managers, ch := f.Validate(false)
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		return web.BadRequest("The form has no version; reload the page and try again.")
	}
	if ch.OK() {
		w, err := a.engagementWrite(c)
		if err != nil {
			return err
		}
		err = models.UpdateEngagement(c.Request().Context(), a.db, w, cur.ID, version, in, managers)
		if re, ok := models.IsRuleError(err); ok {
			ch.Add(re.Field, re.Msg)
		} else if errors.Is(err, models.ErrStale) {
			return a.engagementConflict(c, f)
		} else if err != nil {
			return err
		} else {
			web.AddFlash(c, "success", "Engagement "+in.Code+" saved.")
			return web.Redirect(c, fmt.Sprintf("/engagements/%d", cur.ID))
		}
	}
	p, err := a.engagementFormProps(c, &cur, f.EngagementValues)
	if err != nil {
		return err
	}
	p.Errors = ch
	return a.renderEngagementForm(c, http.StatusUnprocessableEntity, p)
}

// engagementConflict answers 409: the user's input stays in the form, the
// stored values are listed beside it, and the form now carries the stored
// version so that saving again is a deliberate overwrite.
func (a *App) engagementConflict(c echo.Context, f engagementForm) error {
	cur, managers, err := a.loadEngagementForEdit(c)
	if err != nil {
		return err
	}
	now := engagementValues(cur, managers)
	mine := f.EngagementValues
	mine.Version = now.Version
	p, err := a.engagementFormProps(c, &cur, mine)
	if err != nil {
		return err
	}
	p.Stale = true
	p.Conflict = components.Differ(
		components.ConflictRow{Label: "Code", Yours: f.Code, Current: now.Code},
		components.ConflictRow{Label: "Name", Yours: f.Name, Current: now.Name},
		components.ConflictRow{Label: "Model", Yours: f.Model, Current: now.Model},
		components.ConflictRow{Label: "Tower", Yours: f.Tower, Current: now.Tower},
		components.ConflictRow{Label: "Vendor", Yours: a.vendorName(c, f.VendorID), Current: a.vendorName(c, now.VendorID)},
		components.ConflictRow{Label: "Business unit", Yours: f.BusinessUnit, Current: now.BusinessUnit},
		components.ConflictRow{Label: "Delivery location", Yours: f.DeliveryLocation, Current: now.DeliveryLocation},
		components.ConflictRow{Label: "Sponsor", Yours: f.Sponsor, Current: now.Sponsor},
		components.ConflictRow{Label: "Lead manager", Yours: a.userName(c, f.ManagerID), Current: a.userName(c, now.ManagerID)},
		components.ConflictRow{Label: "Start", Yours: f.StartDate, Current: now.StartDate},
		components.ConflictRow{Label: "Contract end", Yours: f.ContractEnd, Current: now.ContractEnd},
		components.ConflictRow{Label: "Planned transfer", Yours: f.PlannedTransfer, Current: now.PlannedTransfer},
		components.ConflictRow{Label: "Contract value", Yours: f.ContractValue, Current: now.ContractValue},
		components.ConflictRow{Label: "Currency", Yours: f.Currency, Current: now.Currency},
		components.ConflictRow{Label: "Pricing model", Yours: f.PricingModel, Current: now.PricingModel},
		components.ConflictRow{Label: "Vendor headcount", Yours: f.VendorHeadcount, Current: now.VendorHeadcount},
		components.ConflictRow{Label: "Client headcount", Yours: f.ClientHeadcount, Current: now.ClientHeadcount},
		components.ConflictRow{Label: "Description", Yours: f.Description, Current: now.Description},
	)
	return a.renderEngagementForm(c, http.StatusConflict, p)
}

// vendorName and userName name a record by its id as typed, for a conflict listing.
func (a *App) vendorName(c echo.Context, id string) string {
	if _, err := strconv.ParseUint(id, 10, 32); err != nil {
		return id
	}
	var v models.Vendor
	if a.db.WithContext(c.Request().Context()).Select("name").Where("id = ?", id).Limit(1).Find(&v); v.Name != "" {
		return v.Name
	}
	return id
}

func (a *App) userName(c echo.Context, id string) string {
	if _, err := strconv.ParseUint(id, 10, 32); err != nil {
		return id
	}
	var u models.User
	if a.db.WithContext(c.Request().Context()).Select("name").Where("id = ?", id).Limit(1).Find(&u); u.Name != "" {
		return u.Name
	}
	return id
}

// engagementWrite gathers what an engagement write needs: settings, today and the user.
func (a *App) engagementWrite(c echo.Context) (models.EngagementWrite, error) {
	s, err := a.settings(c)
	return models.EngagementWrite{Settings: s, Today: a.today(), UserID: userID(c)}, err
}
