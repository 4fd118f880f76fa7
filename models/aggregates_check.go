package models

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// aggregateCheck is one aggregate table and the GROUP BY over the base table
// that it must always equal (keys first, then the summed columns).
type aggregateCheck struct {
	table      string
	keys, cols []string
	fresh      string
}

var aggregateChecks = []aggregateCheck{
	{"cost_month_totals", []string{"month", "currency", "savings_type"}, costTotalCols,
		`SELECT month, currency, savings_type, COUNT(*), SUM(baseline), SUM(vendor_fees), SUM(retained), SUM(one_off),
		SUM(credits), SUM(planned_savings) FROM cost_records GROUP BY month, currency, savings_type`},
	{"sla_month_totals", []string{"month"}, []string{"met", "measured"},
		`SELECT month, SUM(CASE WHEN met THEN 1 ELSE 0 END), COUNT(*) FROM sla_measurements GROUP BY month`},
	{"risk_cells", []string{"status", "category", "inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"}, []string{"n"},
		`SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, COUNT(*) FROM risks
		GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact
		UNION ALL SELECT status, '', inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, COUNT(*) FROM risks
		GROUP BY status, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact`},
	{"vendor_month_totals", []string{"month", "vendor_id", "currency"}, []string{"records", "vendor_fees", "credits"},
		`SELECT c.month, e.vendor_id, c.currency, COUNT(*), SUM(c.vendor_fees), SUM(c.credits) FROM cost_records c
		JOIN engagements e ON e.id = c.engagement_id GROUP BY c.month, e.vendor_id, c.currency`},
	{"engagement_totals", []string{"model", "phase", "health", "currency", "active"}, []string{"engagements", "contract_value"},
		`SELECT model, phase, health, currency, closed_on IS NULL, COUNT(*), SUM(contract_value) FROM engagements
		GROUP BY model, phase, health, currency, closed_on IS NULL`},
}

// AggregateDrift compares every aggregate table with a fresh GROUP BY over its
// base table and describes each group that differs (none when they agree). A
// stored group whose sums are all zero counts as absent.
func AggregateDrift(ctx context.Context, db *gorm.DB) ([]string, error) {
	db = db.WithContext(ctx)
	var out []string
	for _, c := range aggregateChecks {
		stored, err := groupRows(db, "SELECT "+strings.Join(append(slices.Clone(c.keys), c.cols...), ", ")+" FROM "+c.table, len(c.keys))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.table, err)
		}
		fresh, err := groupRows(db, c.fresh, len(c.keys))
		if err != nil {
			return nil, fmt.Errorf("%s from its base table: %w", c.table, err)
		}
		for k, v := range fresh {
			if stored[k] != v {
				out = append(out, fmt.Sprintf("%s (%s): stored %q, counted %q", c.table, k, stored[k], v))
			}
		}
		for k, v := range stored {
			if _, ok := fresh[k]; !ok {
				out = append(out, fmt.Sprintf("%s (%s): stored %q, counted nothing", c.table, k, v))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// groupRows runs a query and maps its first nkeys columns (joined) to the rest,
// leaving out rows whose other columns are all zero.
func groupRows(db *gorm.DB, query string, nkeys int) (map[string]string, error) {
	rows, err := db.Raw(query).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		text := make([]string, len(vals))
		zero := true
		for i, v := range vals {
			text[i] = normalise(v)
			if i >= nkeys && text[i] != "0" {
				zero = false
			}
		}
		if !zero {
			out[strings.Join(text[:nkeys], " · ")] = strings.Join(text[nkeys:], " ")
		}
	}
	return out, rows.Err()
}

// normalise writes a scanned value the same way whichever driver and column
// type produced it (SQLite gives 0/1 and text dates, PostgreSQL booleans,
// times and numeric sums).
func normalise(v any) string {
	switch x := v.(type) {
	case nil:
		return "0"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case time.Time:
		return x.UTC().Format(DateLayout)
	case []byte:
		return normaliseText(string(x))
	case string:
		return normaliseText(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func normaliseText(s string) string {
	if len(s) > len(DateLayout) {
		if t, err := time.Parse(DateLayout, s[:len(DateLayout)]); err == nil {
			return t.Format(DateLayout)
		}
	}
	return s
}
