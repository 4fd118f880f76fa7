package register_test

import (
	"context"
	"slices"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// The register's filter options are every engagement by code, every vendor by
// name and every owner of a risk by name, read the plain way; past the limit
// neither engagements nor owners are listed.
func TestRegisterChoices(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			o, err := register.LoadRegisterChoices(ctx, db, true, 400)
			if err != nil {
				t.Fatal(err)
			}
			var engs []models.Engagement
			var vendors []models.Vendor
			var owners []models.User
			db.Order("code").Find(&engs)
			db.Order("name").Find(&vendors)
			db.Where("id IN (SELECT owner_id FROM risks)").Order("name").Find(&owners)
			code := func(e models.Engagement) string { return e.Code + "|" + e.Name }
			name := func(v models.Vendor) string { return v.Name }
			owner := func(u models.User) string { return u.Name }
			if !slices.Equal(mapped(o.Engagements, code), mapped(engs, code)) || len(engs) == 0 {
				t.Errorf("engagements %v, want %v", mapped(o.Engagements, code), mapped(engs, code))
			}
			if !slices.Equal(mapped(o.Vendors, name), mapped(vendors, name)) || len(vendors) == 0 {
				t.Errorf("vendors %v, want %v", mapped(o.Vendors, name), mapped(vendors, name))
			}
			if !slices.Equal(mapped(o.Owners, owner), mapped(owners, owner)) || len(owners) == 0 {
				t.Errorf("owners %v, want %v", mapped(o.Owners, owner), mapped(owners, owner))
			}
			if few, err := register.LoadRegisterChoices(ctx, db, true, 1); err != nil || len(few.Engagements) != 0 || len(few.Owners) != 0 || len(few.Vendors) != len(vendors) {
				t.Errorf("past the limit: %d engagements, %d owners, %d vendors (%v)", len(few.Engagements), len(few.Owners), len(few.Vendors), err)
			}
			if scoped, _ := register.LoadRegisterChoices(ctx, db, false, 400); len(scoped.Engagements) != 0 {
				t.Error("an engagement's register lists engagements")
			}
		})
	}
}

func mapped[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
