package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/web"
)

// The JSON API's representations of the portfolio's records: field names as
// the forms and exports name them, money as integer minor units with the
// currency, dates as YYYY-MM-DD ("" when unset).

type apiRef struct {
	ID   uint   `json:"id"`
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
}

type apiEngagement struct {
	ID               uint    `json:"id"`
	Code             string  `json:"code"`
	Name             string  `json:"name"`
	Model            string  `json:"model"`
	Tower            string  `json:"tower"`
	Vendor           apiRef  `json:"vendor"`
	BusinessUnit     string  `json:"business_unit"`
	DeliveryLocation string  `json:"delivery_location"`
	Sponsor          string  `json:"sponsor"`
	Manager          *apiRef `json:"manager"`
	Phase            string  `json:"phase"`
	StartDate        string  `json:"start_date"`
	ContractEnd      string  `json:"contract_end"`
	PlannedTransfer  string  `json:"planned_transfer"`
	ActualTransfer   string  `json:"actual_transfer"`
	ContractValue    int64   `json:"contract_value"`
	Currency         string  `json:"currency"`
	PricingModel     string  `json:"pricing_model"`
	VendorHeadcount  int     `json:"vendor_headcount"`
	ClientHeadcount  int     `json:"client_headcount"`
	Health           string  `json:"health"`
	HealthReasons    string  `json:"health_reasons"`
	ClosedOn         string  `json:"closed_on"`
	Version          int     `json:"version"`
}

func engagementJSON(e models.Engagement) apiEngagement {
	out := apiEngagement{ID: e.ID, Code: e.Code, Name: e.Name, Model: e.Model, Tower: e.Tower, Vendor: apiRef{ID: e.VendorID},
		BusinessUnit: e.BusinessUnit, DeliveryLocation: e.DeliveryLocation, Sponsor: e.Sponsor, Phase: e.Phase,
		StartDate: e.StartDate.String(), ContractEnd: e.ContractEnd.String(), PlannedTransfer: e.PlannedTransfer.String(),
		ActualTransfer: e.ActualTransfer.String(), ContractValue: e.ContractValue, Currency: e.Currency, PricingModel: e.PricingModel,
		VendorHeadcount: e.VendorHeadcount, ClientHeadcount: e.ClientHeadcount, Health: e.Health, HealthReasons: e.HealthReasons,
		ClosedOn: e.ClosedOn.String(), Version: e.Version}
	if e.Vendor != nil {
		out.Vendor.Name = e.Vendor.Name
	}
	if e.Manager != nil {
		out.Manager = &apiRef{ID: e.Manager.ID, Name: e.Manager.Name}
	}
	return out
}

// apiEngagements lists the engagements by id. Route: api.engagements.index.
func (a *App) apiEngagements(c echo.Context) error {
	limit, after, err := apiPage(c)
	if err != nil {
		return err
	}
	rows, err := models.ListAfter[models.Engagement](c.Request().Context(), a.db, after, limit+1, nil, "Vendor", "Manager")
	if err != nil {
		return err
	}
	return writeList(c, mapRows(rows, engagementJSON), limit, func(e apiEngagement) uint { return e.ID })
}

// apiEngagement is one engagement. Route: api.engagements.show.
func (a *App) apiEngagement(c echo.Context) error {
	e, err := apiFirst[models.Engagement](a, c, "Vendor", "Manager")
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, engagementJSON(e), "")
}

type apiVendor struct {
	ID                 uint   `json:"id"`
	Name               string `json:"name"`
	Country            string `json:"country"`
	DeliveryLocations  string `json:"delivery_locations"`
	Tier               int    `json:"tier"`
	Expertise          int    `json:"expertise"`
	TrackRecord        int    `json:"track_record"`
	FinancialStability int    `json:"financial_stability"`
	CulturalFit        int    `json:"cultural_fit"`
	SecurityPosture    int    `json:"security_posture"`
	ReferencesChecked  bool   `json:"references_checked"`
	Notes              string `json:"notes"`
	Archived           bool   `json:"archived"`
	Version            int    `json:"version"`
}

func vendorJSON(v models.Vendor) apiVendor {
	return apiVendor{ID: v.ID, Name: v.Name, Country: v.Country, DeliveryLocations: v.DeliveryLocations, Tier: v.Tier,
		Expertise: v.Expertise, TrackRecord: v.TrackRecord, FinancialStability: v.FinancialStability, CulturalFit: v.CulturalFit,
		SecurityPosture: v.SecurityPosture, ReferencesChecked: v.ReferencesChecked, Notes: v.Notes, Archived: v.Archived, Version: v.Version}
}

// apiVendors lists the vendors by id. Route: api.vendors.index.
func (a *App) apiVendors(c echo.Context) error {
	limit, after, err := apiPage(c)
	if err != nil {
		return err
	}
	rows, err := models.ListAfter[models.Vendor](c.Request().Context(), a.db, after, limit+1, nil)
	if err != nil {
		return err
	}
	return writeList(c, mapRows(rows, vendorJSON), limit, func(v apiVendor) uint { return v.ID })
}

// apiVendor is one vendor. Route: api.vendors.show.
func (a *App) apiVendor(c echo.Context) error {
	v, err := apiFirst[models.Vendor](a, c)
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, vendorJSON(v), "")
}

// apiFirst reads the record of the path's :id (404 problem when none).
func apiFirst[T any](a *App, c echo.Context, preload ...string) (T, error) {
	var zero T
	id, err := idParam(c, "id")
	if err != nil {
		return zero, web.NewProblem(http.StatusNotFound, "There is no such record.")
	}
	return models.First[T](c.Request().Context(), a.db, id, preload...)
}

func mapRows[T, U any](rows []T, f func(T) U) []U {
	out := make([]U, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}
