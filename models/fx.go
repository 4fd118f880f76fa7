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

// ParseRate reads an exchange rate as an exact positive decimal ("1.0825",
// "0.011345") with at most 10 decimal places, and returns it as it will be stored.
func ParseRate(s string) (string, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	switch {
	case s == "":
		return "", errors.New("enter the rate")
	case (whole == "" && frac == "") || !allDigits(whole) || !allDigits(frac) || strings.Count(s, ".") > 1:
		return "", errors.New("enter the rate as a plain decimal, e.g. 1.0825")
	case len(frac) > 10:
		return "", errors.New("use at most 10 decimal places")
	case len(whole) > 8:
		return "", errors.New("that rate is out of range")
	}
	r, _ := new(big.Rat).SetString(s)
	if r.Sign() <= 0 {
		return "", errors.New("a rate must be above zero")
	}
	if whole == "" {
		whole = "0"
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if frac = strings.TrimRight(frac, "0"); frac == "" {
		return whole, nil
	}
	return whole + "." + frac, nil
}

// FXFilter selects stored rates.
type FXFilter struct {
	Currency      string
	Page, PerPage int
}

// ListFXRates returns one page of stored rates, newest month first, and how many match.
func ListFXRates(ctx context.Context, db *gorm.DB, f FXFilter) ([]FXRate, int64, error) {
	q := db.WithContext(ctx).Model(&FXRate{})
	if f.Currency != "" {
		q = q.Where("currency = ?", f.Currency)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []FXRate
	err := q.Order("month DESC, currency").Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&rows).Error
	return rows, total, err
}

// MissingRate is a currency and month with cost records but no rate to the reporting currency.
type MissingRate struct {
	Currency string
	Month    Date
	Records  int
}

// MissingRates lists up to limit currency-months whose cost records cannot be
// converted to the reporting currency, newest first.
func MissingRates(ctx context.Context, db *gorm.DB, reporting string, limit int) ([]MissingRate, error) {
	var out []MissingRate
	err := db.WithContext(ctx).Table("cost_records c").
		Select("c.currency AS currency, c.month AS month, COUNT(*) AS records").
		Where("c.currency <> ? AND NOT EXISTS (SELECT 1 FROM fx_rates r WHERE r.currency = c.currency AND r.month = c.month)", reporting).
		Group("c.currency, c.month").Order("c.month DESC, c.currency").Limit(limit).Scan(&out).Error
	return out, err
}

// SaveFXRate stores the rate of a currency for a month. A month that already
// has a rate is changed, not duplicated. The fx_rates table has no version
// column, so the rate the form was loaded with stands in for one: when
// expected is set and the stored rate differs from it, someone changed it
// first (ErrStale). The change is a history row (entity "fx_rate").
func SaveFXRate(ctx context.Context, db *gorm.DB, in FXRate, expected string, userID *uint) (FXRate, error) {
	in.Month = in.Month.MonthStart()
	var out FXRate
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old FXRate
		if err := tx.Where("currency = ? AND month = ?", in.Currency, in.Month).Limit(1).Find(&old).Error; err != nil {
			return err
		}
		now := NowOf(tx)
		if old.ID != 0 && expected == "" {
			// A new rate for a month that has one: recording a period never
			// overwrites; the stored rate is edited through its own form.
			return &MonthRecordedError{ID: old.ID, Month: in.Month}
		}
		if old.ID == 0 {
			if expected != "" { // the rate the form edited has gone (its month or currency changed)
				return ErrStale
			}
			in.ID = 0
			if err := tx.Create(&in).Error; err != nil {
				return err
			}
			out = in
			return RecordChanges(tx, Created("fx_rate", in.ID, userID, now, in, "Currency", "Month", "Rate"))
		}
		if expected != "" && old.Rate != expected {
			return ErrStale
		}
		res := tx.Model(&FXRate{}).Where("id = ? AND rate = ?", old.ID, old.Rate).UpdateColumn("rate", in.Rate)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrStale
		}
		out = old
		out.Rate = in.Rate
		return RecordChanges(tx, Diff("fx_rate", old.ID, userID, now, old, out, "Rate"))
	})
	return out, err
}

// RatesMissingBetween lists the currency-months from first to last (month
// starts) that have cost records in a currency other than reporting but no
// rate of their own ("INR 2026-09"): figures that include them are
// provisional, and a quarter's pack is not published while its months have any.
func RatesMissingBetween(ctx context.Context, db *gorm.DB, reporting string, first, last Date) ([]string, error) {
	var rows []struct {
		Currency string
		Month    Date
	}
	err := db.WithContext(ctx).Table("cost_records c").Distinct("c.currency", "c.month").
		Where("c.month BETWEEN ? AND ? AND c.currency <> ?", first.MonthStart(), last.MonthStart(), reporting).
		Where("NOT EXISTS (SELECT 1 FROM fx_rates f WHERE f.currency = c.currency AND f.month = c.month)").
		Order("c.currency, c.month").Scan(&rows).Error
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Currency + " " + r.Month.Format("Jan 2006")
	}
	return out, err
}

// NoRateMessage says why costs in a currency with no exchange rate at all are refused.
func NoRateMessage(currency, reporting string) string {
	return "No exchange rate for " + currency + " is recorded at all, so its costs cannot be converted to " + reporting +
		": an administrator records " + currency + "'s rate under Exchange rates first."
}

// CurrenciesWithoutRates are those of currencies (other than reporting) that have no rate at all.
func CurrenciesWithoutRates(ctx context.Context, db *gorm.DB, reporting string, currencies []string) (map[string]bool, error) {
	var rated []string
	if err := db.WithContext(ctx).Model(&FXRate{}).Distinct("currency").Where("currency IN ?", currencies).Pluck("currency", &rated).Error; err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range currencies {
		if c != reporting && !slices.Contains(rated, c) {
			out[c] = true
		}
	}
	return out, nil
}
