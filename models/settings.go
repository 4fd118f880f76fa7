package models

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// Settings are the admin-editable rules every page computes with.
type Settings struct {
	Risk    RiskSettings
	Finance FinanceSettings
}

// FinanceSettings set the fiscal calendar and the reporting currency.
type FinanceSettings struct {
	FiscalStartMonth  int    `json:"fiscal_start_month"`
	ReportingCurrency string `json:"reporting_currency"`
}

// Fiscal is the fiscal calendar the settings name.
func (s Settings) Fiscal() Fiscal { return Fiscal{StartMonth: time.Month(s.Finance.FiscalStartMonth)} }

// DefaultSettings are DOMAIN.md's defaults.
func DefaultSettings() Settings {
	return Settings{Risk: DefaultRiskSettings(), Finance: FinanceSettings{FiscalStartMonth: 1, ReportingCurrency: "USD"}}
}

// LoadSettings reads the stored settings over the defaults.
func LoadSettings(ctx context.Context, db *gorm.DB) (Settings, error) {
	s := DefaultSettings()
	var rows []Setting
	if err := db.WithContext(ctx).Find(&rows).Error; err != nil {
		return s, err
	}
	for _, r := range rows {
		var err error
		switch r.Key {
		case "risk":
			err = json.Unmarshal([]byte(r.Value), &s.Risk)
		case "finance":
			err = json.Unmarshal([]byte(r.Value), &s.Finance)
		}
		if err != nil {
			return s, err
		}
	}
	if s.Finance.FiscalStartMonth < 1 || s.Finance.FiscalStartMonth > 12 {
		s.Finance.FiscalStartMonth = 1
	}
	return s, nil
}

// SaveSetting stores one settings value as JSON, recording the change.
func SaveSetting(ctx context.Context, db *gorm.DB, key string, value any, userID uint) error {
	b, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old Setting
		tx.Where("key = ?", key).Limit(1).Find(&old)
		if err := tx.Save(&Setting{Key: key, Value: string(b), UpdatedAt: NowOf(tx)}).Error; err != nil {
			return err
		}
		uid := &userID
		return tx.Create(&Change{Entity: "setting", Action: "update", Field: key, Old: old.Value, New: string(b), UserID: uid, At: NowOf(tx)}).Error
	})
}
