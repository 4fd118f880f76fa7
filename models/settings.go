package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
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
	s, _, err := LoadSettingsVersions(ctx, db)
	return s, err
}

// LoadSettingsVersions reads the stored settings over the defaults and the
// version of each stored value by key (a key never saved is absent: 0), in
// one read, so that a form's values and its version are of one moment.
func LoadSettingsVersions(ctx context.Context, db *gorm.DB) (Settings, map[string]int, error) {
	s := DefaultSettings()
	var rows []Setting
	if err := db.WithContext(ctx).Find(&rows).Error; err != nil {
		return s, nil, err
	}
	versions := make(map[string]int, len(rows))
	for _, r := range rows {
		var err error
		switch r.Key {
		case "risk":
			err = json.Unmarshal([]byte(r.Value), &s.Risk)
		case "finance":
			err = json.Unmarshal([]byte(r.Value), &s.Finance)
		}
		if err != nil {
			return s, nil, err
		}
		versions[r.Key] = r.Version
	}
	if s.Finance.FiscalStartMonth < 1 || s.Finance.FiscalStartMonth > 12 {
		s.Finance.FiscalStartMonth = 1
	}
	return s, versions, nil
}

// SaveSetting stores one settings value as JSON if it is still at version
// (0: never saved; otherwise ErrStale), recording the change in the history.
func SaveSetting(ctx context.Context, db *gorm.DB, key string, value any, version int, userID uint) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		return saveSetting(tx, key, value, version, userID)
	})
}

func saveSetting(tx *gorm.DB, key string, value any, version int, userID uint) error {
	b, err := json.Marshal(value)
	if err != nil {
		return err
	}
	var old Setting
	if err := tx.Where("key = ?", key).Limit(1).Find(&old).Error; err != nil {
		return err
	}
	now := NowOf(tx)
	if old.Key == "" {
		if version != 0 {
			return ErrStale
		}
		// Two first saves at once: the second meets the primary key and is stale.
		if err := tx.Create(&Setting{Key: key, Value: string(b), Version: 1, UpdatedAt: now}).Error; err != nil {
			if IsDuplicate(err) {
				return ErrStale
			}
			return err
		}
	} else {
		res := tx.Model(&Setting{}).Where("key = ? AND version = ?", key, version).
			UpdateColumns(map[string]any{"value": string(b), "version": version + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrStale
		}
	}
	return tx.Create(&Change{Entity: "setting", Action: "update", Field: key, Old: old.Value, New: string(b), UserID: &userID, At: now}).Error
}

// SettingChange is one save of the settings, in words: what changed from what
// to what ("Reporting currency: USD → EUR").
type SettingChange struct {
	Change
	Lines []string
}

// SettingHistory is the latest limit saves of the settings, newest first.
func SettingHistory(ctx context.Context, db *gorm.DB, limit int) ([]SettingChange, error) {
	var rows []Change
	if err := db.WithContext(ctx).Preload("User").Where("entity = ?", "setting").
		Order("at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]SettingChange, len(rows))
	for i, c := range rows {
		out[i] = SettingChange{Change: c, Lines: settingLines(c)}
	}
	return out, nil
}

// settingLines names what one save changed, field by field.
func settingLines(c Change) []string {
	was, now := DefaultSettings(), DefaultSettings()
	var lines []string
	add := func(label string, a, b any) {
		if x, y := fmt.Sprint(a), fmt.Sprint(b); x != y {
			lines = append(lines, label+": "+x+" → "+y)
		}
	}
	switch c.Field {
	case "finance":
		_ = json.Unmarshal([]byte(c.Old), &was.Finance) // an empty old value: the defaults
		if json.Unmarshal([]byte(c.New), &now.Finance) != nil {
			return nil
		}
		add("Reporting currency", was.Finance.ReportingCurrency, now.Finance.ReportingCurrency)
		add("Fiscal year starts in", time.Month(was.Finance.FiscalStartMonth), time.Month(now.Finance.FiscalStartMonth))
	case "risk":
		_ = json.Unmarshal([]byte(c.Old), &was.Risk)
		if json.Unmarshal([]byte(c.New), &now.Risk) != nil {
			return nil
		}
		o, n := was.Risk, now.Risk
		add("Low: scores up to", o.LowMax, n.LowMax)
		add("Medium: scores up to", o.MediumMax, n.MediumMax)
		add("High: scores up to", o.HighMax, n.HighMax)
		add("Appetite", o.Appetite, n.Appetite)
		for _, b := range Bands {
			add("Review cadence, "+b+" (days)", o.ReviewDays(bandLow(o, b)), n.ReviewDays(bandLow(n, b)))
		}
		for i := range 5 {
			add(fmt.Sprintf("Likelihood level %d", i+1), o.Likelihood[i].Label, n.Likelihood[i].Label)
			add(fmt.Sprintf("Likelihood level %d definition", i+1), o.Likelihood[i].Definition, n.Likelihood[i].Definition)
			add(fmt.Sprintf("Impact level %d", i+1), o.Impact[i].Label, n.Impact[i].Label)
			add(fmt.Sprintf("Impact level %d definition", i+1), o.Impact[i].Definition, n.Impact[i].Definition)
		}
	}
	return lines
}

// bandLow is the lowest score of band b under s.
func bandLow(s RiskSettings, b string) int {
	lo, _, _ := s.BandRange(b)
	return lo
}
