// Package models is the portfolio's domain: the entities (engagements,
// vendors, costs, service levels, risks, milestones, transfers, lessons,
// users), the rules that score, price and judge them (scoring.go, savings.go,
// health.go, readiness.go, fx.go), the one audited write every change goes
// through (write.go: the change rows and the data version, in the write's
// transaction), the error vocabulary (errors.go) and the app's clock
// (clock.go).
//
// Its rooms hold the rest: register (the risk register's reads), pack (the
// quarterly review pack), cache (the one cache subsystem), seed (demo and
// scale portfolios), sqlstore (opening the database), migrations (the schema,
// as numbered .sql files) and dbtest (real databases for tests).
package models
