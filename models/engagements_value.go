package models

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"gorm.io/gorm"
)

// Contract values in the reporting currency. A contract value is not dated,
// so it converts at its currency's latest rate up to the clock's month (the
// rate the dashboard's contract-value card uses). Rates are recorded once a
// month is over, so the last complete month is expected to have one; when it
// has none, the latest earlier month's rate is carried forward (the DOMAIN
// rule) and the value says it is provisional, naming the rate used.

// ValueRates are the rates contract values convert at on a day.
type ValueRates struct {
	rates *Rates
	today Date
}

// LoadValueRates reads, for each currency, its latest rate up to today's month.
func LoadValueRates(ctx context.Context, db *gorm.DB, reporting string, today Date) (ValueRates, error) {
	var fx []FXRate
	err := ScanEach(db.WithContext(ctx), `SELECT currency, `+DateText(db, "month")+`, rate FROM fx_rates f
		WHERE month = (SELECT MAX(g.month) FROM fx_rates g WHERE g.currency = f.currency AND g.month <= ?)`,
		[]any{today.MonthStart()}, func(rows *sql.Rows) error {
			var r FXRate
			err := rows.Scan(&r.Currency, &r.Month, &r.Rate)
			fx = append(fx, r)
			return err
		})
	return NewValueRates(reporting, fx, today), err
}

// NewValueRates builds the rates contract values convert at on today from
// stored rates (each currency's latest up to today's month, as LoadValueRates reads them).
func NewValueRates(reporting string, fx []FXRate, today Date) ValueRates {
	return ValueRates{rates: NewRates(reporting, fx), today: today}
}

// Reporting is the currency values convert to.
func (v ValueRates) Reporting() string {
	if v.rates == nil {
		return ""
	}
	return v.rates.Reporting
}

// ConvertedValue is an amount in its own currency and in the reporting currency.
type ConvertedValue struct {
	Local     Money
	Reporting Exact
	Converted bool        // Local is in another currency than the reporting one
	Rate      RateApplied // the rate used (Missing: the currency has no rate up to today)
	For       Date        // the month whose rate was due (Rate.From differs when it was carried forward)
}

// Provisional reports whether the rate used was carried forward past the last complete month.
func (c ConvertedValue) Provisional() bool { return c.Converted && c.Rate.Carried }

// ProvisionalNote names the rate a provisional value used, as the savings
// figures do: "provisional: rate of Oct 2026 (0.0112) used for INR Nov 2026".
func (c ConvertedValue) ProvisionalNote() string {
	if !c.Provisional() {
		return ""
	}
	return "provisional: rate of " + c.Rate.From.Format("Jan 2006") + " (" + c.Rate.Text + ") used for " +
		c.Rate.Currency + " " + c.For.Format("Jan 2006")
}

// ProvisionalLabel names the carried rate as the savings figures' labels do
// ("INR Nov 2026 at Oct 2026's rate"); "" unless provisional.
func (c ConvertedValue) ProvisionalLabel() string {
	if !c.Provisional() {
		return ""
	}
	return c.Rate.Currency + " " + c.For.Format("Jan 2006") + " at " + c.Rate.From.Format("Jan 2006") + "'s rate"
}

// Convert converts an amount at the currency's rate for contract values.
func (v ValueRates) Convert(m Money) ConvertedValue {
	out := ConvertedValue{Local: m}
	if v.rates == nil || m.Currency == v.rates.Reporting {
		out.Reporting.Add(m.Minor, nil)
		out.Rate = RateApplied{Text: "1", Currency: m.Currency}
		return out
	}
	out.Converted = true
	month := v.today.MonthStart()
	if _, ok := v.rates.byKey[m.Currency+" "+month.String()]; !ok {
		month = Date{month.AddDate(0, -1, 0)} // the last complete month: its rate is due
	}
	out.For = month
	out.Rate = v.rates.Applied(m.Currency, month)
	if !out.Rate.Missing {
		out.Reporting = out.Rate.Convert(m.Minor)
	}
	return out
}

// ConvertContractValues sets each row's contract value in the reporting currency.
func ConvertContractValues(rows []EngagementRow, v ValueRates) {
	for i := range rows {
		rows[i].Converted = v.Convert(rows[i].Value())
	}
}

// ValueTotal is the contract value of every engagement a filter matches, in
// the reporting currency.
type ValueTotal struct {
	Engagements int64
	Currency    string
	Total       Exact
	// ByCurrency is each currency's sum and its conversion, by currency code.
	ByCurrency []ConvertedValue
	// Provisional notes each rate carried forward; Missing the currencies with
	// no rate at all, whose values are left out of Total (never counted 1:1).
	Provisional, Missing []string
}

// ContractValueTotal sums the contract values of the engagements f matches
// (every page of the list), per currency in SQL, and converts each sum.
func ContractValueTotal(ctx context.Context, db *gorm.DB, f EngagementFilter, v ValueRates) (ValueTotal, error) {
	var sums []struct {
		Currency string
		N        int64
		Value    int64
	}
	// A plain join as "Vendor" (the filter's search reads its name): gorm's
	// Joins("Vendor") would add the vendor's columns to the SELECT, which a
	// GROUP BY refuses on PostgreSQL.
	err := f.apply(db.WithContext(ctx).Table("engagements").Joins(`LEFT JOIN vendors "Vendor" ON "Vendor".id = engagements.vendor_id`)).
		Select("engagements.currency AS currency, COUNT(*) AS n, CAST(SUM(engagements.contract_value) AS BIGINT) AS value").
		Group("engagements.currency").Scan(&sums).Error
	if err != nil {
		return ValueTotal{}, err
	}
	slices.SortFunc(sums, func(a, b struct {
		Currency string
		N        int64
		Value    int64
	}) int {
		return cmp.Compare(a.Currency, b.Currency)
	})
	out := ValueTotal{Currency: v.Reporting()}
	for _, s := range sums {
		c := v.Convert(Money{s.Value, s.Currency})
		out.Engagements += s.N
		out.ByCurrency = append(out.ByCurrency, c)
		switch {
		case c.Converted && c.Rate.Missing:
			out.Missing = append(out.Missing, s.Currency)
		case c.Provisional():
			out.Provisional = append(out.Provisional, c.ProvisionalNote())
		}
		out.Total.AddExact(c.Reporting)
	}
	return out, nil
}
