package register

import (
	"context"

	"gorm.io/gorm"

	"portfolio/models"
)

// RegisterChoices are the options of the register's filter selects.
type RegisterChoices struct {
	Engagements []models.Engagement // id, code and name; none past most
	Vendors     []models.Vendor     // id and name
	Owners      []models.User       // id and name of the people who own a risk; none past most
}

// LoadRegisterChoices reads the options of the register's filter selects, by
// name (engagements by code): the engagements unless withEngagements is false,
// and neither engagements nor owners when there are more than most of them (a
// select that long is no help; the filter then comes from links). Counts in
// one statement, each list in one, scanned by hand: they are read again after
// every write. Read without the request's cancellation: on SQLite a
// cancellable read fetches every row on a goroutine of its own, and these are
// a few hundred rows.
func LoadRegisterChoices(ctx context.Context, db *gorm.DB, withEngagements bool, most int) (RegisterChoices, error) {
	db = db.WithContext(context.WithoutCancel(ctx))
	var out RegisterChoices
	var engs, users int64
	// Counted up to one past the limit: whether there are more is all that matters.
	if err := db.Raw("SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM engagements LIMIT ?) e), (SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT ?) u)",
		most+1, most+1).Row().Scan(&engs, &users); err != nil {
		return out, err
	}
	if withEngagements && engs <= int64(most) {
		err := scanRows(db, "SELECT id, code, name FROM engagements ORDER BY code", func(s func(...any) error) error {
			var e models.Engagement
			err := s(&e.ID, &e.Code, &e.Name)
			out.Engagements = append(out.Engagements, e)
			return err
		})
		if err != nil {
			return out, err
		}
	}
	err := scanRows(db, "SELECT id, name FROM vendors ORDER BY name", func(s func(...any) error) error {
		var v models.Vendor
		err := s(&v.ID, &v.Name)
		out.Vendors = append(out.Vendors, v)
		return err
	})
	if err != nil || users > int64(most) {
		return out, err
	}
	err = scanRows(db, "SELECT id, name FROM users WHERE EXISTS (SELECT 1 FROM risks WHERE risks.owner_id = users.id) ORDER BY name", func(s func(...any) error) error {
		var u models.User
		err := s(&u.ID, &u.Name)
		out.Owners = append(out.Owners, u)
		return err
	})
	return out, err
}

// scanRows runs query and calls row for each row with its Scan.
func scanRows(db *gorm.DB, query string, row func(scan func(...any) error) error) error {
	rows, err := db.Raw(query).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
