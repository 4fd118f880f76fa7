package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// RiskEntity is the entity name of risks in the changes table.
const RiskEntity = "risk"

// RiskHistoryFields are the Risk fields every write records (Go names). History
// rows name them by their column, so that RegisterAsAt can replay them: a field
// missing here would silently read its current value at every past date.
var RiskHistoryFields = []string{"EngagementID", "Ref", "Title", "Description", "Category",
	"InherentLikelihood", "InherentImpact", "InherentScore", "ResidualLikelihood", "ResidualImpact", "ResidualScore",
	"Response", "Mitigation", "OwnerID", "Status", "NextReview", "RaisedOn", "ClosedOn", "ClosedReason",
	"AcceptedBy", "AcceptJustification", "AcceptExpiry"}

// Risk history actions, as the changes table names them.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionReview = "review"
	ActionClose  = "close"
	ActionAccept = "accept"
	ActionReopen = "reopen"
	ActionImport = "import"
)

// ErrRefTaken is returned when a risk's reference is already used by another risk.
var ErrRefTaken = errors.New("that reference is already used by another risk")

// Normalise trims the text fields and derives the scores from likelihood × impact,
// so that a stored score can never disagree with its levels.
func (r *Risk) Normalise() {
	for _, p := range []*string{&r.Ref, &r.Title, &r.Description, &r.Category, &r.Response, &r.Mitigation,
		&r.Status, &r.ClosedReason, &r.AcceptedBy, &r.AcceptJustification} {
		*p = strings.TrimSpace(*p)
	}
	r.InherentScore = Score(r.InherentLikelihood, r.InherentImpact)
	r.ResidualScore = Score(r.ResidualLikelihood, r.ResidualImpact)
}

// Problems checks a risk against the register's rules and returns a message per
// column name (the names forms and imports use for their fields).
func (r Risk) Problems() map[string]string {
	errs := map[string]string{}
	add := func(k, msg string) {
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	text := func(col, v string, required bool, max int) {
		switch {
		case required && v == "":
			add(col, "Required.")
		case utf8.RuneCountInString(v) > max:
			add(col, fmt.Sprintf("Use at most %d characters.", max))
		}
	}
	text("ref", r.Ref, false, 40)
	text("title", r.Title, true, 200)
	text("description", r.Description, false, 4000)
	text("mitigation", r.Mitigation, false, 4000)
	text("closed_reason", r.ClosedReason, r.Status == StatusClosed, 1000)
	text("accepted_by", r.AcceptedBy, r.Status == StatusAccepted, 200)
	text("accept_justification", r.AcceptJustification, r.Status == StatusAccepted, 2000)
	if r.Ref != "" && !ValidCode(r.Ref) {
		add("ref", CodeRule)
	}
	switch {
	case r.Category == "":
		add("category", "Choose a category.")
	case !contains(RiskCategories, r.Category):
		add("category", "Choose one of the listed categories.")
	}
	if !contains(RiskResponses, r.Response) {
		add("response", "Choose avoid, reduce, transfer or accept.")
	}
	if !contains(RiskStatuses, r.Status) {
		add("status", "Choose open, mitigating, accepted or closed.")
	}
	for col, v := range map[string]int{"inherent_likelihood": r.InherentLikelihood, "inherent_impact": r.InherentImpact,
		"residual_likelihood": r.ResidualLikelihood, "residual_impact": r.ResidualImpact} {
		if !ValidLevel(v) {
			add(col, "Choose a level from 1 to 5.")
		}
	}
	if r.RaisedOn.IsZero() {
		add("raised_on", "Required.")
	}
	if r.Status == StatusClosed {
		switch {
		case r.ClosedOn.IsZero():
			add("closed_on", "A closed risk needs the date it was closed.")
		case !r.RaisedOn.IsZero() && r.ClosedOn.Before(r.RaisedOn):
			add("closed_on", "A risk cannot close before it was raised.")
		}
	} else {
		// A closed date on a live risk would make it look closed in the
		// quarter's movement; reopening clears it.
		if !r.ClosedOn.IsZero() {
			add("closed_on", "Only a closed risk has a closed date: set the status to Closed, or clear the date.")
		}
		if r.ClosedReason != "" {
			add("closed_reason", "Only a closed risk has a reason for closing: set the status to Closed, or clear it.")
		}
	}
	if r.Status == StatusAccepted && r.AcceptExpiry.IsZero() {
		add("accept_expiry", "An acceptance needs an expiry date, when it is reviewed again.")
	}
	return errs
}

// ResidualAboveInherent reports a residual score above the inherent one. The
// register allows it (a mitigation can fail, or a risk be reassessed) but forms
// warn, as it is usually a slip.
func (r Risk) ResidualAboveInherent() bool {
	return Score(r.ResidualLikelihood, r.ResidualImpact) > Score(r.InherentLikelihood, r.InherentImpact)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// CreateRisk stores a new risk with the history of its creation, in one
// transaction, and refreshes its engagement's health. A blank reference gets the
// next one of its engagement (R-CODE-07, portfolio-wide R-PF-007); a blank next
// review is the band's cadence after the day it was raised; a blank raised date
// is today. r must pass Problems (the caller shows those to the user).
func CreateRisk(ctx context.Context, db *gorm.DB, act Actor, r *Risk) error {
	r.Normalise()
	if r.RaisedOn.IsZero() {
		r.RaisedOn = act.today()
	}
	if r.NextReview.IsZero() && r.Status != StatusClosed {
		r.NextReview = act.Settings.Risk.NextReview(r.RaisedOn, r.ResidualScore)
	}
	if errs := r.Problems(); len(errs) > 0 {
		return fmt.Errorf("risk is not valid: %v", errs)
	}
	generated := r.Ref == ""
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error { return createRiskTx(ctx, tx, act, r, ActionCreate, nil) })
		// Two managers adding risks to one engagement at once can draw the same
		// reference; the unique index refuses the second, which draws again.
		if !(generated && errors.Is(err, ErrRefTaken)) {
			break
		}
		r.Ref = ""
	}
	return err
}

// createRiskTx inserts r inside tx with its creation history.
// With touched set, the engagement's health is left for the caller to refresh
// once for a batch: its id is added to touched.
func createRiskTx(ctx context.Context, tx *gorm.DB, act Actor, r *Risk, action string, touched map[uint]bool) error {
	r.ID = 0
	if r.Ref == "" {
		ref, err := NextRiskRef(ctx, tx, r.EngagementID)
		if err != nil {
			return err
		}
		r.Ref = ref
	} else if taken, err := riskRefTaken(tx, r.Ref, 0); err != nil {
		return err
	} else if taken {
		return ErrRefTaken
	}
	r.Version = 1
	r.CreatedAt, r.UpdatedAt = act.at(), act.at()
	eng, own := r.Engagement, r.Owner
	r.Engagement, r.Owner = nil, nil
	err := tx.Omit("Engagement", "Owner").Create(r).Error
	r.Engagement, r.Owner = eng, own
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return ErrRefTaken
	}
	if err != nil {
		return err
	}
	changes := Created(RiskEntity, r.ID, act.UserID, act.at(), r, RiskHistoryFields...)
	if action != ActionCreate {
		for i := range changes {
			changes[i].Action = action
		}
	}
	if err := RecordChanges(tx, changes); err != nil {
		return err
	}
	return refreshRiskHealth(ctx, tx, act, touched, r.EngagementID)
}

func riskRefTaken(tx *gorm.DB, ref string, exceptID uint) (bool, error) {
	var n int64
	err := tx.Model(&Risk{}).Where("ref = ? AND id <> ?", ref, exceptID).Count(&n).Error
	return n > 0, err
}

// NextRiskRef draws the next free reference of an engagement's register
// (R-CODE-NN) or of the portfolio-wide one (R-PF-NNN).
func NextRiskRef(ctx context.Context, db *gorm.DB, engagementID *uint) (string, error) {
	db = db.WithContext(ctx)
	prefix, width := "R-PF-", 3
	if engagementID != nil {
		var e Engagement
		if err := db.Select("id, code").First(&e, *engagementID).Error; err != nil {
			return "", err
		}
		prefix, width = "R-"+e.Code+"-", 2
	}
	var refs []string
	if err := db.Model(&Risk{}).Where("ref LIKE ? ESCAPE '\\'", EscapeLike(prefix)+"%").Pluck("ref", &refs).Error; err != nil {
		return "", err
	}
	next := 1
	for _, ref := range refs {
		if n, err := strconv.Atoi(strings.TrimPrefix(ref, prefix)); err == nil && n >= next {
			next = n + 1
		}
	}
	return fmt.Sprintf("%s%0*d", prefix, width, next), nil
}

// UpdateRisk saves an edited risk: r carries the id and the version the form was
// loaded at. Every changed field is recorded (column, old → new) in the same
// transaction; ErrStale when someone saved first, ErrRefTaken for a used
// reference. It returns the stored risk as it was before the change.
func UpdateRisk(ctx context.Context, db *gorm.DB, act Actor, r *Risk) (Risk, error) {
	r.Normalise()
	if errs := r.Problems(); len(errs) > 0 {
		return Risk{}, fmt.Errorf("risk is not valid: %v", errs)
	}
	var before Risk
	err := sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		var err error
		before, err = updateRiskTx(ctx, tx, act, r, ActionUpdate, nil)
		return err
	})
	return before, err
}

// updateRiskTx writes r over the stored row at r.Version inside tx (touched as
// for createRiskTx).
func updateRiskTx(ctx context.Context, tx *gorm.DB, act Actor, r *Risk, action string, touched map[uint]bool) (Risk, error) {
	var old Risk
	if err := tx.First(&old, r.ID).Error; err != nil {
		return old, err
	}
	if old.Version != r.Version {
		return old, ErrStale
	}
	if r.Ref == "" {
		r.Ref = old.Ref
	}
	if r.Ref != old.Ref {
		if taken, err := riskRefTaken(tx, r.Ref, r.ID); err != nil {
			return old, err
		} else if taken {
			return old, ErrRefTaken
		}
	}
	changes := Diff(RiskEntity, r.ID, act.UserID, act.at(), old, r, RiskHistoryFields...)
	if len(changes) == 0 {
		*r = old
		return old, nil
	}
	if err := saveRiskChanges(ctx, tx, act, old, r, changes, action, touched); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return old, ErrRefTaken
		}
		return old, err
	}
	return old, nil
}

// saveRiskChanges writes changes (old → r, Diff's) over the row still at
// old.Version inside tx: the changed columns, the history rows, and the health
// of the engagements the change can recolour (touched as for createRiskTx).
// risk_cells follows by its triggers. r comes back at its new version.
func saveRiskChanges(ctx context.Context, tx *gorm.DB, act Actor, old Risk, r *Risk, changes []Change, action string, touched map[uint]bool) error {
	for i := range changes {
		changes[i].Action = action
	}
	cols := map[string]any{"updated_at": act.at()}
	for _, ch := range changes {
		cols[ch.Field] = columnValue(r, ch.Field)
	}
	if err := UpdateVersioned(tx, &Risk{}, r.ID, old.Version, cols); err != nil {
		return err
	}
	if err := RecordChanges(tx, changes); err != nil {
		return err
	}
	r.Version = old.Version + 1
	r.CreatedAt, r.UpdatedAt = old.CreatedAt, act.at()
	if !riskChangesHealth(old, *r, act.today()) {
		return nil
	}
	ids := []*uint{r.EngagementID}
	if !sameID(old.EngagementID, r.EngagementID) {
		ids = append(ids, old.EngagementID)
	}
	return refreshRiskHealth(ctx, tx, act, touched, ids...)
}

// columnValue is the value of r's field with column name col, for an UPDATE.
func columnValue(r *Risk, col string) any {
	switch col {
	case "engagement_id":
		return r.EngagementID
	case "ref":
		return r.Ref
	case "title":
		return r.Title
	case "description":
		return r.Description
	case "category":
		return r.Category
	case "inherent_likelihood":
		return r.InherentLikelihood
	case "inherent_impact":
		return r.InherentImpact
	case "inherent_score":
		return r.InherentScore
	case "residual_likelihood":
		return r.ResidualLikelihood
	case "residual_impact":
		return r.ResidualImpact
	case "residual_score":
		return r.ResidualScore
	case "response":
		return r.Response
	case "mitigation":
		return r.Mitigation
	case "owner_id":
		return r.OwnerID
	case "status":
		return r.Status
	case "next_review":
		return r.NextReview
	case "raised_on":
		return r.RaisedOn
	case "closed_on":
		return r.ClosedOn
	case "closed_reason":
		return r.ClosedReason
	case "accepted_by":
		return r.AcceptedBy
	case "accept_justification":
		return r.AcceptJustification
	case "accept_expiry":
		return r.AcceptExpiry
	}
	panic("models: risk column without a value: " + col)
}

func sameID(a, b *uint) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// writeTx is db for a risk write's transaction. On PostgreSQL it leaves out
// GORM's prepared statements: a statement GORM first prepares inside a
// transaction belongs to that transaction, so GORM prepares it again in each
// one, a Parse and a Close round trip more per statement, while the driver
// (pgx) prepares each statement once per connection by itself. SQLite prepares
// every statement it runs either way.
func writeTx(ctx context.Context, db *gorm.DB) *gorm.DB {
	tx := db.Session(&gorm.Session{Context: ctx})
	if p, ok := tx.Statement.ConnPool.(*gorm.PreparedStmtDB); ok && !IsSQLite(db) {
		tx.Statement.ConnPool = p.ConnPool
	}
	return tx
}

// refreshRiskHealth recomputes the health of the engagements a risk write
// touched, one by one in id order (the order their rows are locked in), or
// adds them to touched for a batch to refresh once.
func refreshRiskHealth(ctx context.Context, tx *gorm.DB, act Actor, touched map[uint]bool, ids ...*uint) error {
	var list []uint
	for _, id := range ids {
		if id != nil {
			list = append(list, *id)
			if touched != nil {
				touched[*id] = true
			}
		}
	}
	if touched != nil {
		return nil
	}
	slices.Sort(list)
	for _, id := range slices.Compact(list) {
		if err := refreshOneHealth(ctx, tx, act.Settings, act.today(), id); err != nil {
			return err
		}
	}
	return nil
}
