package models

// Dependency and lock-in (DOMAIN: Governance): each vendor's share of the
// portfolio's spend over the last 12 complete months, in the reporting
// currency, and of the engagements in delivery; and the service towers and
// delivery locations one vendor alone serves.
//
// Spend is what the vendors were paid: vendor fees less the service credits
// received, of hard savings and cost avoidance alike (a cost avoided is still
// paid). The retained organisation and one-off transition costs are not paid
// to the vendor, so they are left out.
//
// Engagements in delivery are those a vendor serves now: past selection, not
// ended or closed and, for a BOT programme, not yet transferred.

import (
	"cmp"
	"context"
	"database/sql"
	"math/big"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// DependencyMonths is how many complete months the spend covers.
const DependencyMonths = 12

// VendorShare is one vendor's part of the portfolio.
type VendorShare struct {
	VendorID uint
	Name     string
	Archived bool
	// Spend is vendor fees less credits over the months, in the reporting currency.
	Spend Exact
	// SpendShare and EngagementShare are tenths of a percent, split so that
	// the vendors' shares add up to exactly 100.0 % (ShareTenths).
	SpendShare      int
	Provisional     []string // the currency-months its spend converted at a carried rate
	Engagements     int      // in delivery
	EngagementShare int
}

// SoleVendor is a tower or delivery location that one vendor alone serves.
type SoleVendor struct {
	Name        string // the tower or location
	VendorID    uint
	Vendor      string
	Engagements int
}

// Dependency is the portfolio's dependency on its vendors.
type Dependency struct {
	From, To Date  // the first and last of the months, month starts
	Spend    Exact // the portfolio's, reporting currency
	// Paid is the spend of the vendors whose fees exceeded their credits:
	// what the spend shares divide (a vendor owed credits has no share).
	Paid        Exact
	Provisional []string
	Engagements int           // in delivery
	Vendors     []VendorShare // the largest spend first, then the most engagements, then by name
	Towers      []SoleVendor  // the most engagements first
	Locations   []SoleVendor
}

// HasSpend reports whether there is spend to share (the shares mean nothing otherwise).
func (d *Dependency) HasSpend() bool { return d.Paid.Sign() > 0 }

// Vendor is a vendor's share (zero when it has neither spend nor engagements).
func (d *Dependency) Vendor(id uint) VendorShare {
	for _, v := range d.Vendors {
		if v.VendorID == id {
			return v
		}
	}
	return VendorShare{VendorID: id}
}

// inDelivery selects the engagements e a vendor serves now.
const inDelivery = "e.closed_on IS NULL AND e.phase NOT IN ('Selection', 'Ended', 'Transferred')"

// DependencyWindow is the last DependencyMonths complete months before today's: the first and last month starts.
func DependencyWindow(today Date) (from, to Date) {
	m := today.MonthStart()
	return D(m.Year(), m.Month()-DependencyMonths, 1), D(m.Year(), m.Month()-1, 1)
}

// LoadDependency works out the vendors' shares as at today, converting with
// rates (the months' own rates, carried forward where a month has none, as
// the savings figures are). Three statements: the spend per vendor, currency
// and month, from the sums kept on write (vendor_month_totals: a few hundred
// rows, where joining a year of cost records to their engagements grew with
// the portfolio); the engagements in delivery per vendor, tower and location;
// the vendors' names.
func LoadDependency(ctx context.Context, db *gorm.DB, rates *Rates, today Date) (*Dependency, error) {
	db = db.WithContext(ctx)
	d := &Dependency{}
	d.From, d.To = DependencyWindow(today)
	type spendRow struct {
		VendorID      uint
		Currency      string
		Month         Date
		Fees, Credits int64
	}
	var spend []spendRow
	months := map[string]Date{} // twelve months on every row: each parsed once
	if err := ScanEach(db, `SELECT vendor_id, currency, `+DateText(db, "month")+`, vendor_fees, credits FROM vendor_month_totals
		WHERE records > 0 AND month BETWEEN ? AND ?`, []any{d.From, d.To}, func(rows *sql.Rows) error {
		var r spendRow
		var month sql.RawBytes
		if err := rows.Scan(&r.VendorID, &r.Currency, &month, &r.Fees, &r.Credits); err != nil {
			return err
		}
		m, ok := months[string(month)]
		if !ok {
			if err := m.Scan([]byte(month)); err != nil {
				return err
			}
			months[string(month)] = m
		}
		r.Month = m
		spend = append(spend, r)
		return nil
	}); err != nil {
		return nil, err
	}
	type servedRow struct {
		VendorID        uint
		Tower, Location string
		N               int
	}
	var served []servedRow
	if err := ScanEach(db, `SELECT e.vendor_id, e.tower, e.delivery_location, COUNT(*) FROM engagements e WHERE `+inDelivery+`
		GROUP BY e.vendor_id, e.tower, e.delivery_location`, nil, func(rows *sql.Rows) error {
		var r servedRow
		err := rows.Scan(&r.VendorID, &r.Tower, &r.Location, &r.N)
		served = append(served, r)
		return err
	}); err != nil {
		return nil, err
	}
	var vendors []Vendor
	if err := db.Select("id, name, archived").Order("name").Find(&vendors).Error; err != nil {
		return nil, err
	}

	byID := map[uint]*VendorShare{}
	share := func(id uint) *VendorShare {
		if v, ok := byID[id]; ok {
			return v
		}
		v := &VendorShare{VendorID: id}
		byID[id] = v
		return v
	}
	carried := map[uint]map[string]bool{}
	all := map[string]bool{}
	for _, s := range spend {
		rate, wasCarried := rates.rate(s.Currency, s.Month)
		v := share(s.VendorID)
		v.Spend.Add(s.Fees-s.Credits, rate)
		if wasCarried {
			k := s.Currency + " " + s.Month.MonthStart().String()
			if carried[s.VendorID] == nil {
				carried[s.VendorID] = map[string]bool{}
			}
			carried[s.VendorID][k], all[k] = true, true
		}
	}
	for id, c := range carried {
		byID[id].Provisional = rates.labels(c)
	}
	d.Provisional = rates.labels(all)
	for _, s := range served {
		share(s.VendorID).Engagements += s.N
		d.Engagements += s.N
	}
	names := map[uint]string{}
	for _, v := range vendors {
		names[v.ID] = v.Name
		if x, ok := byID[v.ID]; ok {
			x.Name, x.Archived = v.Name, v.Archived
		}
	}
	for _, v := range byID {
		d.Spend.AddExact(v.Spend)
		if v.Spend.Sign() > 0 {
			d.Paid.AddExact(v.Spend)
		}
		d.Vendors = append(d.Vendors, *v)
	}
	slices.SortFunc(d.Vendors, func(a, b VendorShare) int {
		return cmp.Or(b.Spend.r.Cmp(&a.Spend.r), cmp.Compare(b.Engagements, a.Engagements), cmp.Compare(a.Name, b.Name), cmp.Compare(a.VendorID, b.VendorID))
	})
	spends, counts := make([]*big.Rat, len(d.Vendors)), make([]*big.Rat, len(d.Vendors))
	for i, v := range d.Vendors {
		spends[i] = v.Spend.Rat()
		if spends[i].Sign() < 0 { // credits above fees: paid nothing, owed a little; no share
			spends[i].SetInt64(0)
		}
		counts[i] = new(big.Rat).SetInt64(int64(v.Engagements))
	}
	ss, es := ShareTenths(spends), ShareTenths(counts)
	for i := range d.Vendors {
		d.Vendors[i].SpendShare, d.Vendors[i].EngagementShare = ss[i], es[i]
	}

	towers, locations := soleVendors(), soleVendors()
	for _, s := range served {
		towers.add(s.Tower, s.VendorID, s.N)
		for _, site := range DeliverySites(s.Location) {
			locations.add(site, s.VendorID, s.N)
		}
	}
	d.Towers, d.Locations = towers.sole(names), locations.sole(names)
	return d, nil
}

// DeliverySites splits an engagement's delivery location into its sites:
// "Manila, Philippines / Kraków, Poland" is two, each served by the vendor.
func DeliverySites(location string) []string {
	var out []string
	for _, s := range strings.Split(location, "/") {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// servedBy gathers the vendors of towers or locations, keyed without case.
type servedBy struct {
	name    map[string]string // key → the name as first written
	vendors map[string]map[uint]int
}

func soleVendors() servedBy {
	return servedBy{name: map[string]string{}, vendors: map[string]map[uint]int{}}
}

func (s servedBy) add(name string, vendorID uint, n int) {
	if name = strings.TrimSpace(name); name == "" {
		return
	}
	k := strings.ToLower(name)
	if _, ok := s.name[k]; !ok {
		s.name[k], s.vendors[k] = name, map[uint]int{}
	}
	s.vendors[k][vendorID] += n
}

// sole lists those served by one vendor, the most engagements first, then by name.
func (s servedBy) sole(names map[uint]string) []SoleVendor {
	var out []SoleVendor
	for k, vs := range s.vendors {
		if len(vs) != 1 {
			continue
		}
		for id, n := range vs {
			out = append(out, SoleVendor{Name: s.name[k], VendorID: id, Vendor: names[id], Engagements: n})
		}
	}
	slices.SortFunc(out, func(a, b SoleVendor) int {
		return cmp.Or(cmp.Compare(b.Engagements, a.Engagements), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// ShareTenths splits 100.0 % among parts (none negative) in tenths of a
// percent by the largest remainder: each part gets its exact share rounded
// down, and the tenths left over go one each to the parts with the largest
// remainders (ties to the larger part, then the earlier), so that the shares
// written to one decimal add up to exactly 100.0 %. All zero when the parts are.
func ShareTenths(parts []*big.Rat) []int {
	out := make([]int, len(parts))
	total := new(big.Rat)
	for _, p := range parts {
		total.Add(total, p)
	}
	if total.Sign() <= 0 {
		return out
	}
	rems := make([]*big.Rat, len(parts))
	left := 1000
	for i, p := range parts {
		q := new(big.Rat).Quo(new(big.Rat).Mul(p, big.NewRat(1000, 1)), total)
		whole := new(big.Int).Quo(q.Num(), q.Denom()) // q ≥ 0: truncation is the floor
		out[i] = int(whole.Int64())
		left -= out[i]
		rems[i] = q.Sub(q, new(big.Rat).SetInt(whole))
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(rems[b].Cmp(rems[a]), parts[b].Cmp(parts[a]))
	})
	for _, i := range order[:left] {
		out[i]++
	}
	return out
}

// TenthsText writes tenths of a percent as a share: 123 is "12.3 %".
func TenthsText(tenths int) string {
	sign := ""
	if tenths < 0 {
		sign, tenths = "−", -tenths
	}
	return sign + groupThousands(int64(tenths/10)) + "." + string(rune('0'+tenths%10)) + " %"
}
