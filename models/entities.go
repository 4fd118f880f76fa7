package models

import "time"

// Roles a user can hold.
const (
	RoleExecutive = "executive"
	RoleManager   = "manager"
	RoleAdmin     = "admin"
)

// Roles lists the roles from least to most privilege.
var Roles = []string{RoleExecutive, RoleManager, RoleAdmin}

// User is a person who signs in.
type User struct {
	ID           uint `gorm:"primaryKey"`
	Name         string
	Email        string
	Role         string
	PasswordHash string
	Disabled     bool
	// SessionsAfter invalidates every session issued before it (sign-out,
	// password change, disabling): cookies cannot be recalled, so the user row decides.
	SessionsAfter *time.Time
	// SSOIssuer and SSOSubject are the single sign-on identity the account is
	// linked to (models/sso); both empty for a local account.
	SSOIssuer  string `gorm:"column:sso_issuer"`
	SSOSubject string `gorm:"column:sso_subject"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Vendor is an outsourcing partner with its selection scorecard (each score 1–5).
type Vendor struct {
	ID                 uint `gorm:"primaryKey"`
	Name               string
	Country            string
	DeliveryLocations  string
	Tier               int
	Expertise          int
	TrackRecord        int
	FinancialStability int
	CulturalFit        int
	SecurityPosture    int
	ReferencesChecked  bool
	Notes              string
	Archived           bool
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Delivery models.
const (
	ModelITO = "ITO"
	ModelBOT = "BOT"
)

// Towers are the ITO service towers the seeds name.
var Towers = []string{"Infrastructure management", "Application development & maintenance", "Technical support (help desk)", "Cybersecurity services", "Data management", "Cloud services"}

// Lifecycle phases per delivery model, in order.
var (
	PhasesBOT = []string{"Selection", "Build", "Operate", "Transfer", "Transferred"}
	PhasesITO = []string{"Selection", "Transition", "Run", "Exit", "Ended"}
)

// PricingModels are the commercial models of a contract.
var PricingModels = []string{"Fixed price", "Time & materials", "Managed service"}

// Engagement is one ITO contract or BOT programme.
type Engagement struct {
	ID               uint `gorm:"primaryKey"`
	Code             string
	Name             string
	Model            string
	Tower            string
	VendorID         uint
	Vendor           *Vendor
	BusinessUnit     string
	DeliveryLocation string
	Sponsor          string
	ManagerID        *uint
	Manager          *User
	Phase            string
	StartDate        Date
	ContractEnd      Date
	PlannedTransfer  Date
	ActualTransfer   Date
	ContractValue    int64 // minor units of Currency
	Currency         string
	PricingModel     string
	VendorHeadcount  int
	ClientHeadcount  int
	Description      string
	// Health is kept up to date on every write that affects it and by a daily
	// refresh; HealthReasons holds one reason per line.
	Health        string
	HealthReasons string
	HealthOn      Date
	ClosedOn      Date
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Value is the contract value as money.
func (e Engagement) Value() Money { return Money{e.ContractValue, e.Currency} }

// IsBOT reports a build-operate-transfer programme.
func (e Engagement) IsBOT() bool { return e.Model == ModelBOT }

// EngagementManager assigns further managers to an engagement besides its lead.
type EngagementManager struct {
	EngagementID uint `gorm:"primaryKey"`
	UserID       uint `gorm:"primaryKey"`
}

// PhaseChange records an engagement's move between lifecycle phases.
type PhaseChange struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	FromPhase    string
	ToPhase      string
	ChangedOn    Date
	UserID       *uint
	CreatedAt    time.Time
}

// Savings types; they are summed apart and never mixed.
const (
	SavingsHard      = "hard"
	SavingsAvoidance = "avoidance"
)

// CostRecord is one engagement's costs for one month, in the engagement's currency.
type CostRecord struct {
	ID             uint `gorm:"primaryKey"`
	EngagementID   uint
	Month          Date // first day of the month
	Currency       string
	Baseline       int64
	VendorFees     int64
	Retained       int64
	OneOff         int64
	Credits        int64
	PlannedSavings int64
	SavingsType    string
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FXRate converts one unit of Currency into the reporting currency for a month.
type FXRate struct {
	ID       uint `gorm:"primaryKey"`
	Currency string
	Month    Date
	Rate     string // exact decimal, e.g. "1.0825"
}

// TableName fixes the table name.
func (FXRate) TableName() string { return "fx_rates" }

// SLA directions.
const (
	HigherIsBetter = "higher"
	LowerIsBetter  = "lower"
)

// ServiceLevel is an SLA or KPI of an engagement. Target is in thousandths of Unit.
type ServiceLevel struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Name         string
	Target       int64
	Unit         string
	Direction    string
	CreditRule   string
	CreditPct    int // service credit as % of the month's vendor fees when missed
	Archived     bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SLAMeasurement is one month's result of a service level; Actual is in thousandths.
type SLAMeasurement struct {
	ID             uint `gorm:"primaryKey"`
	ServiceLevelID uint
	EngagementID   uint
	Month          Date
	Actual         int64
	Met            bool
	Note           string
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName fixes the table name.
func (SLAMeasurement) TableName() string { return "sla_measurements" }

// Risk statuses.
const (
	StatusOpen       = "open"
	StatusMitigating = "mitigating"
	StatusAccepted   = "accepted"
	StatusClosed     = "closed"
)

// RiskStatuses lists the statuses in workflow order.
var RiskStatuses = []string{StatusOpen, StatusMitigating, StatusAccepted, StatusClosed}

// RiskResponses are the four responses to a risk.
var RiskResponses = []string{"avoid", "reduce", "transfer", "accept"}

// RiskCategories are the seeds' categories of outsourcing risk.
var RiskCategories = []string{"Data security & privacy", "Intellectual property", "Service quality", "Cultural & organisational fit", "Communication & coordination", "Vendor dependency & lock-in", "Regulatory compliance", "Financial", "Transition & knowledge transfer", "Control vs autonomy", "Technology obsolescence"}

// Risk is an entry in the risk register; EngagementID nil means portfolio-wide.
type Risk struct {
	ID                  uint `gorm:"primaryKey"`
	EngagementID        *uint
	Engagement          *Engagement
	Ref                 string
	Title               string
	Description         string
	Category            string
	InherentLikelihood  int
	InherentImpact      int
	InherentScore       int
	ResidualLikelihood  int
	ResidualImpact      int
	ResidualScore       int
	Response            string
	Mitigation          string
	OwnerID             *uint
	Owner               *User
	Status              string
	NextReview          Date
	RaisedOn            Date
	ClosedOn            Date
	ClosedReason        string
	AcceptedBy          string
	AcceptJustification string
	AcceptExpiry        Date
	Version             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// IsOpen reports whether the risk is still live (not closed).
func (r Risk) IsOpen() bool { return r.Status != StatusClosed }

// AcceptanceExpired reports whether the risk is accepted and its acceptance's
// expiry date has passed by today (on the day itself it still holds).
func (r Risk) AcceptanceExpired(today Date) bool {
	return r.Status == StatusAccepted && !r.AcceptExpiry.IsZero() && r.AcceptExpiry.Before(today)
}

// Change is one field of one record changed by one user: the history of every
// entity (risks, costs, engagements, …) lives here.
type Change struct {
	ID       uint   `gorm:"primaryKey"`
	Entity   string // "risk", "engagement", "cost", …
	EntityID uint
	Action   string // "create", "update", "close", …
	Field    string
	Old      string
	New      string
	UserID   *uint
	User     *User
	At       time.Time
}

// MitigationAction is a step taken to reduce a risk.
type MitigationAction struct {
	ID        uint `gorm:"primaryKey"`
	RiskID    uint
	Action    string
	OwnerID   *uint
	Owner     *User
	Due       Date
	Status    string // planned, in progress, done
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Milestone is a dated step of an engagement's lifecycle.
type Milestone struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Engagement   *Engagement
	Phase        string
	Name         string
	IsKey        bool
	Planned      Date
	Forecast     Date
	Actual       Date
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Readiness item statuses and their progress weight in halves.
const (
	ReadinessNotStarted = 0
	ReadinessInProgress = 1
	ReadinessDone       = 2
)

// ReadinessArea is a default transfer-readiness area and its weight.
type ReadinessArea struct {
	Area   string
	Weight int
}

// ReadinessAreas are the default areas and weights (sum 100).
var ReadinessAreas = []ReadinessArea{
	{"Knowledge-transfer documentation", 20}, {"Training", 15}, {"Testing / UAT", 15}, {"People transfer", 15},
	{"Tools, licences and access", 10}, {"Contracts, assets and IP", 10}, {"Service stable for three months", 10}, {"Governance handover", 5},
}

// ReadinessItem is one area of a BOT engagement's transfer checklist.
type ReadinessItem struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Area         string
	Weight       int
	Status       int
	Owner        string
	Evidence     string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TransferGate is a go/no-go decision on a BOT transfer.
type TransferGate struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Decision     string // go, no-go, conditional
	DecidedOn    Date
	DecidedBy    string
	Conditions   string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// GovernanceReview is an engagement's quarterly governance review.
type GovernanceReview struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Quarter      string
	HeldOn       Date
	Rating       string // red, amber, green
	Commentary   string
	Decisions    string
	Escalations  string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PortfolioCommentary is an administrator's commentary on the whole
// portfolio for a quarter: the key messages and what the board is asked to
// decide, printed on the review pack's summary page.
type PortfolioCommentary struct {
	ID          uint `gorm:"primaryKey"`
	Quarter     string
	KeyMessages string
	Asks        string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ReviewAction is an action agreed at a governance review.
type ReviewAction struct {
	ID                 uint `gorm:"primaryKey"`
	GovernanceReviewID uint
	EngagementID       uint
	Action             string
	Owner              string
	Due                Date
	Status             string // open, done
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Lesson outcomes and phases.
var (
	LessonOutcomes = []string{"went well", "went wrong"}
	LessonPhases   = []string{"selection", "contracting", "build/transition", "operate", "transfer/exit"}
)

// Lesson is a lesson learned.
type Lesson struct {
	ID           uint `gorm:"primaryKey"`
	Title        string
	WhatHappened string
	Lesson       string
	Outcome      string
	Phase        string
	Category     string
	EngagementID *uint
	Engagement   *Engagement
	Tower        string
	Tags         string // comma-separated
	AuthorID     *uint
	Author       *User
	LearnedOn    Date
	RiskID       *uint
	Archived     bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Setting is one named settings value (JSON).
type Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	Version   int // moves with each save, for the form's stale check
	UpdatedAt time.Time
}

// PublishedPack is a frozen quarterly review pack.
type PublishedPack struct {
	ID           uint `gorm:"primaryKey"`
	Quarter      string
	EngagementID *uint
	Snapshot     string // JSON of the pack's figures
	PublishedBy  uint
	PublishedAt  time.Time
	Version      int    // 1, then one more for each correction
	Reason       string // why a correction was published ("" for the first version)
}

// LiveStatuses are the statuses of a live risk. The live register asks for
// them by name rather than "not closed": an index led by status can then seek
// each one (a condition <> seeks nothing).
var LiveStatuses = []string{StatusOpen, StatusMitigating, StatusAccepted}
