package models

import (
	"context"
	"errors"
	"math/big"
	"slices"
	"strings"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// SaveFinanceSettings stores the reporting currency and the fiscal year's
// first month if they are still at version (ErrStale otherwise), recording the
// change. A new reporting currency restates every stored exchange rate in it,
// in the same transaction: the rates are "units of the reporting currency per
// unit of the currency", so a rate of X is divided by the new currency's rate
// of the same month, and the new currency's own rows become the old reporting
// currency's (1 ÷ rate). Each restated rate is a history row. The change is
// refused (Invalid, on "reporting_currency") while a month that has rates, or
// costs in the old reporting currency, lacks one for the new currency: that
// month could not be restated.
// Published packs keep their own figures either way.
func SaveFinanceSettings(ctx context.Context, db *gorm.DB, next FinanceSettings, version int, userID uint) error {
	if _, ok := Currencies[next.ReportingCurrency]; !ok {
		return Invalid{"reporting_currency": "Choose one of the listed currencies."}
	}
	if next.FiscalStartMonth < 1 || next.FiscalStartMonth > 12 {
		return Invalid{"fiscal_start_month": "Choose a month."}
	}
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		cur, err := LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if from := cur.Finance.ReportingCurrency; from != next.ReportingCurrency {
			if err := restateRates(tx, from, next.ReportingCurrency, userID); err != nil {
				return err
			}
		}
		return saveSetting(tx, "finance", next, version, userID)
	})
}

// restateRates rewrites every stored rate from reporting currency from to to.
func restateRates(tx *gorm.DB, from, to string, userID uint) error {
	if !IsSQLite(tx) { // no rate is saved while they are restated (SQLite's writer is one already)
		if err := tx.Exec("LOCK TABLE fx_rates IN SHARE ROW EXCLUSIVE MODE").Error; err != nil {
			return err
		}
	}
	var rows []FXRate
	if err := tx.Order("month, currency").Find(&rows).Error; err != nil {
		return err
	}
	base := map[Date]string{} // to's rate (in from) by month
	seen := map[Date]bool{}
	var months []Date
	for _, r := range rows {
		if r.Currency == to {
			base[r.Month] = r.Rate
		}
		if !seen[r.Month] {
			seen[r.Month] = true
			months = append(months, r.Month)
		}
	}
	// The old reporting currency's own costs need the new currency's rate of
	// their month too: after the change they convert like any other currency's.
	var own []struct{ Month Date }
	if err := tx.Model(&CostRecord{}).Distinct("month").Where("currency = ?", from).Order("month").Scan(&own).Error; err != nil {
		return err
	}
	for _, c := range own {
		if !seen[c.Month] {
			seen[c.Month] = true
			months = append(months, c.Month)
		}
	}
	if len(months) == 0 {
		return nil // nothing to restate, nothing to convert
	}
	slices.SortFunc(months, func(a, b Date) int { return a.Compare(b.Time) })
	if len(base) == 0 {
		return Invalid{"reporting_currency": "No exchange rate for " + to + " is recorded, so the stored rates and " + from + "'s costs cannot be restated in " + to +
			": record " + to + "'s monthly rates to " + from + " under Exchange rates first."}
	}
	var missing []string
	for _, m := range months {
		if _, ok := base[m]; !ok {
			missing = append(missing, m.Format("Jan 2006"))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 6 {
			missing = append(missing[:6], "…")
		}
		return Invalid{"reporting_currency": to + " has no rate for " + strings.Join(missing, ", ") +
			", months that have other rates or costs in " + from + ", so those could not be restated in " + to + ": record them under Exchange rates first."}
	}
	uid, now := &userID, NowOf(tx)
	for _, r := range rows {
		next := r
		var err error
		switch r.Currency {
		case to: // the new reporting currency's row becomes the old one's
			next.Currency = from
			next.Rate, err = divideRate("1", base[r.Month])
		case from:
			continue // a rate of the reporting currency to itself means nothing; left as it is
		default:
			next.Rate, err = divideRate(r.Rate, base[r.Month])
		}
		if err != nil {
			return Invalid{"reporting_currency": r.Currency + " " + r.Month.Format("Jan 2006") + ": " + err.Error()}
		}
		if err := tx.Model(&FXRate{}).Where("id = ?", r.ID).UpdateColumns(map[string]any{"currency": next.Currency, "rate": next.Rate}).Error; err != nil {
			if IsDuplicate(err) {
				return Invalid{"reporting_currency": "A rate of " + from + " to itself is stored for " + r.Month.Format("Jan 2006") + ": remove it under Exchange rates first."}
			}
			return err
		}
		if err := RecordChanges(tx, Diff("fx_rate", r.ID, uid, now, r, next, "Currency", "Rate")); err != nil {
			return err
		}
	}
	return nil
}

// divideRate is a ÷ b as a stored rate: 10 decimal places (the last rounded
// to nearest), trailing zeros trimmed.
func divideRate(a, b string) (string, error) {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 || y.Sign() <= 0 {
		return "", errors.New("a stored rate is not a positive decimal")
	}
	s := new(big.Rat).Quo(x, y).FloatString(10)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if slices.Contains([]string{"0", ""}, s) {
		return "", errors.New("the restated rate is below 0.0000000001")
	}
	return s, nil
}
