package models

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// MitigationEntity is the entity name of mitigation actions in the changes table.
const MitigationEntity = "mitigation_action"

// MitigationStatuses are the states of a mitigation action, in order.
var MitigationStatuses = []string{"planned", "in progress", "done"}

var mitigationHistoryFields = []string{"Action", "OwnerID", "Due", "Status"}

// Problems checks a mitigation action and returns a message per column name.
func (m MitigationAction) Problems() map[string]string {
	errs := map[string]string{}
	switch a := strings.TrimSpace(m.Action); {
	case a == "":
		errs["action"] = "Required."
	case utf8.RuneCountInString(a) > 500:
		errs["action"] = "Use at most 500 characters."
	}
	if !contains(MitigationStatuses, m.Status) {
		errs["status"] = "Choose planned, in progress or done."
	}
	return errs
}

// SaveMitigation creates (ID 0) or updates (at m.Version) a mitigation action of
// its risk, recording the change in the same transaction; ErrStale when someone
// saved first.
func SaveMitigation(ctx context.Context, db *gorm.DB, act Actor, m *MitigationAction) error {
	m.Action = strings.TrimSpace(m.Action)
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if m.ID == 0 {
			m.Version = 1
			m.CreatedAt, m.UpdatedAt = act.at(), act.at()
			if err := tx.Omit("Owner").Create(m).Error; err != nil {
				return err
			}
			return RecordChanges(tx, Created(MitigationEntity, m.ID, act.UserID, act.at(), m, mitigationHistoryFields...))
		}
		var old MitigationAction
		if err := tx.Where("risk_id = ?", m.RiskID).First(&old, m.ID).Error; err != nil {
			return err
		}
		if old.Version != m.Version {
			return ErrStale
		}
		changes := Diff(MitigationEntity, m.ID, act.UserID, act.at(), old, m, mitigationHistoryFields...)
		if len(changes) == 0 {
			return nil
		}
		if err := UpdateVersioned(tx, &MitigationAction{}, m.ID, m.Version, map[string]any{
			"action": m.Action, "owner_id": m.OwnerID, "due": m.Due, "status": m.Status, "updated_at": act.at()}); err != nil {
			return err
		}
		m.Version++
		return RecordChanges(tx, changes)
	})
}

// RiskHistory lists the changes of a risk and of its mitigation actions, newest
// first, with their authors: the risk page's history.
func RiskHistory(ctx context.Context, db *gorm.DB, riskID uint) ([]Change, error) {
	var out []Change
	err := db.WithContext(ctx).Preload("User").
		Where("(entity = ? AND entity_id = ?) OR (entity = ? AND entity_id IN (SELECT id FROM mitigation_actions WHERE risk_id = ?))",
			RiskEntity, riskID, MitigationEntity, riskID).
		Order("at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, err
	}
	return readable(db.WithContext(ctx), out)
}
