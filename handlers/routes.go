package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"portfolio/web"
)

// Route is one endpoint: its method, path, name and the guard it needs.
type Route struct {
	Method  string
	Path    string
	Name    string
	Guard   web.Guard
	Handler echo.HandlerFunc
}

// Routes is every route of the application, in one list.
func (a *App) Routes() []Route {
	g, p := http.MethodGet, http.MethodPost
	return []Route{
		{g, "/healthz", "health", web.Public, a.healthz},

		// Sign-in, account and users.
		{g, "/login", "auth.login", web.Public, a.loginForm},
		{p, "/login", "auth.signin", web.Public, a.login},
		{g, "/login/oidc", "auth.sso", web.Public, a.ssoStart},
		{g, "/login/oidc/callback", "auth.sso.callback", web.Public, a.ssoCallback},
		{p, "/logout", "auth.logout", web.SignedIn, a.logout},
		{g, "/account", "account.show", web.SignedIn, a.account},
		{p, "/account/password", "account.password", web.SignedIn, a.accountPassword},
		{p, "/account/calendar", "account.calendar", web.SignedIn, a.accountCalendarNew},
		{p, "/account/calendar/revoke", "account.calendar.revoke", web.SignedIn, a.accountCalendarRevoke},
		{p, "/account/email", "account.email", web.SignedIn, a.accountEmail},
		{p, "/account/tokens", "account.tokens.create", web.SignedIn, a.accountTokenCreate},
		{p, "/account/tokens/:id/revoke", "account.tokens.revoke", web.SignedIn, a.accountTokenRevoke},
		{g, "/tokens", "tokens.index", web.Admin, a.tokens},
		{p, "/tokens/:id/revoke", "tokens.revoke", web.Admin, a.tokenRevoke},
		{g, "/calendar/:token", "calendar.feed", web.Public, a.calendarFeed},
		{g, "/unsubscribe/:token", "unsubscribe.ask", web.Public, a.unsubscribeAsk},
		{p, "/unsubscribe/:token", "unsubscribe.do", web.Public, a.unsubscribe},
		{g, "/notifications", "notifications.index", web.SignedIn, a.notifications},
		{p, "/notifications/read", "notifications.read", web.SignedIn, a.notificationsRead},
		{g, "/reminders", "reminders.index", web.Admin, a.reminders},
		{p, "/reminders/:id/retry", "reminders.retry", web.Admin, a.reminderRetry},
		{g, "/users", "users.index", web.Admin, a.users},
		{g, "/users/new", "users.new", web.Admin, a.userNew},
		{p, "/users", "users.create", web.Admin, a.userCreate},
		{g, "/users/:id", "users.show", web.Admin, a.userShow},
		{p, "/users/:id", "users.update", web.Admin, a.userUpdate},
		{p, "/users/:id/password", "users.password", web.Admin, a.userPassword},
		{p, "/users/:id/disable", "users.disable", web.Admin, a.userDisable},
		{p, "/users/:id/enable", "users.enable", web.Admin, a.userEnable},
		// end of sign-in, account and users.

		{g, "/", "dashboard", web.SignedIn, a.dashboard},

		// Engagements and vendors.
		{g, "/engagements", "engagements.index", web.SignedIn, a.engagements},
		{g, "/engagements/export", "engagements.export", web.SignedIn, a.exportEngagements},
		{g, "/engagements/new", "engagements.new", web.Admin, a.newEngagement},
		{p, "/engagements", "engagements.create", web.Admin, a.createEngagement},
		{g, "/engagements/:id", "engagements.show", web.SignedIn, a.engagement},
		{g, "/engagements/:id/edit", "engagements.edit", web.Admin, a.editEngagement},
		{p, "/engagements/:id", "engagements.update", web.Admin, a.updateEngagement},
		{g, "/engagements/:id/lifecycle", "engagements.lifecycle", web.SignedIn, a.engagementLifecycle},
		{g, "/contracts", "contracts.index", web.SignedIn, a.contracts},
		{g, "/contracts/export", "contracts.export", web.SignedIn, a.exportContracts},
		{g, "/engagements/:id/contract", "contracts.show", web.SignedIn, a.contract},
		{p, "/engagements/:id/contract", "contracts.save", web.Editor, a.contractSave},
		{p, "/engagements/:id/contract/decision", "contracts.decide", web.Editor, a.contractDecide},
		{g, "/obligations", "obligations.index", web.SignedIn, a.portfolioObligations},
		{g, "/obligations/export", "obligations.export", web.SignedIn, a.exportObligations},
		{g, "/engagements/:id/obligations", "obligations.show", web.SignedIn, a.obligations},
		{p, "/engagements/:id/obligations", "obligations.create", web.Editor, a.obligationCreate},
		{g, "/engagements/:id/obligations/:oid", "obligations.one", web.SignedIn, a.obligation},
		{p, "/engagements/:id/obligations/:oid", "obligations.save", web.Editor, a.obligationSave},
		{p, "/engagements/:id/obligations/:oid/record", "obligations.record", web.Editor, a.obligationRecord},
		{g, "/partnerships", "partnership.index", web.SignedIn, a.partnerships},
		{g, "/partnerships/export", "partnership.export", web.SignedIn, a.exportPartnerships},
		{g, "/engagements/:id/partnership", "partnership.show", web.SignedIn, a.partnership},
		{p, "/engagements/:id/partnership", "partnership.save", web.Editor, a.partnershipSave},
		{p, "/engagements/:id/partnership/suggestions/:sid", "partnership.decide", web.Editor, a.partnershipDecide},
		{g, "/engagements/:id/meetings", "meetings.index", web.SignedIn, a.meetings},
		{p, "/engagements/:id/meetings", "meetings.create", web.Editor, a.meetingCreate},
		{g, "/meetings/export", "meetings.export", web.SignedIn, a.exportMeetings},
		{g, "/meetings/:id", "meetings.show", web.SignedIn, a.meeting},
		{p, "/meetings/:id", "meetings.update", web.Editor, a.meetingUpdate},
		{p, "/meetings/:id/actions", "meetings.actions.create", web.Editor, a.meetingActionCreate},
		{g, "/meetings/:id/actions/:aid", "meetings.actions.edit", web.Editor, a.meetingActionEdit},
		{p, "/meetings/:id/actions/:aid", "meetings.actions.update", web.Editor, a.meetingActionUpdate},
		{g, "/actions", "actions.index", web.SignedIn, a.openActions},
		{g, "/actions/export", "actions.export", web.SignedIn, a.exportActions},
		{p, "/engagements/:id/phase", "engagements.move", web.Admin, a.moveEngagement},
		{p, "/engagements/:id/close", "engagements.close", web.Admin, a.closeEngagement},
		{p, "/engagements/:id/reopen", "engagements.reopen", web.Admin, a.reopenEngagement},
		{g, "/vendors", "vendors.index", web.SignedIn, a.vendors},
		{g, "/vendors/export", "vendors.export", web.SignedIn, a.exportVendors},
		{g, "/vendors/new", "vendors.new", web.Admin, a.newVendor},
		{p, "/vendors", "vendors.create", web.Admin, a.createVendor},
		{g, "/vendors/:id", "vendors.show", web.SignedIn, a.vendor},
		{g, "/vendors/:id/edit", "vendors.edit", web.Admin, a.editVendor},
		{p, "/vendors/:id", "vendors.update", web.Admin, a.updateVendor},
		{p, "/vendors/:id/archive", "vendors.archive", web.Admin, a.archiveVendor},
		{p, "/vendors/:id/restore", "vendors.restore", web.Admin, a.restoreVendor},
		// end of engagements and vendors.

		// Risk register.
		{g, "/risks", "risks.index", web.SignedIn, a.risks},
		{g, "/engagements/:id/risks", "risks.engagement", web.SignedIn, a.engagementRisks},
		{g, "/risks/export", "risks.export", web.SignedIn, a.exportRisks},
		{g, "/risks/score-preview", "risks.preview", web.SignedIn, a.scorePreview},
		{g, "/risks/import", "risks.import", web.Editor, a.importRisks},
		{p, "/risks/import", "risks.import.preview", web.Editor, a.importRisks},
		{p, "/risks/import/apply", "risks.import.apply", web.Editor, a.importRisks},
		{g, "/risks/new", "risks.new", web.Editor, a.newRisk},
		{p, "/risks", "risks.create", web.Editor, a.createRisk},
		{g, "/risks/:id", "risks.show", web.SignedIn, a.risk},
		{g, "/risks/:id/edit", "risks.edit", web.Editor, a.editRisk},
		{p, "/risks/:id", "risks.update", web.Editor, a.updateRisk},
		{g, "/risks/:id/quick", "risks.quick", web.Editor, a.riskQuick},
		{p, "/risks/:id/status", "risks.status", web.Editor, a.riskStatus},
		{p, "/risks/:id/review", "risks.review", web.Editor, a.reviewRisk},
		{p, "/risks/:id/close", "risks.close", web.Editor, a.closeRisk},
		{p, "/risks/:id/accept", "risks.accept", web.Editor, a.acceptRisk},
		{p, "/risks/:id/actions", "risks.actions.create", web.Editor, a.saveAction},
		{p, "/risks/:id/actions/:aid", "risks.actions.update", web.Editor, a.saveAction},
		{g, "/settings", "settings.edit", web.Admin, a.settingsForm},
		{p, "/settings", "settings.update", web.Admin, a.saveSettings},
		{p, "/settings/finance", "settings.finance.update", web.Admin, a.saveFinanceSettings},
		// end of risk register.

		// Costs, service levels, BOT transfers.
		// costs
		{g, "/savings", "savings.index", web.SignedIn, a.savings},
		{g, "/engagements/:id/costs", "costs.index", web.SignedIn, a.costRecords},
		{g, "/engagements/:id/costs/new", "costs.new", web.Editor, a.newCost},
		{p, "/engagements/:id/costs", "costs.create", web.Editor, a.createCost},
		{g, "/engagements/:id/costs/:cid/edit", "costs.edit", web.Editor, a.editCost},
		{p, "/engagements/:id/costs/:cid", "costs.update", web.Editor, a.updateCost},
		{g, "/costs/export", "costs.export", web.SignedIn, a.exportCosts},
		{g, "/costs/import", "costs.import", web.Editor, a.importCosts},
		{p, "/costs/import", "costs.import.preview", web.Editor, a.importCosts},
		{p, "/costs/import/apply", "costs.import.apply", web.Editor, a.importCosts},
		{g, "/fx", "fx.index", web.Admin, a.fxRates},
		{g, "/fx/new", "fx.new", web.Admin, a.newFXRate},
		{p, "/fx", "fx.create", web.Admin, a.saveFXRate},
		{g, "/fx/:id/edit", "fx.edit", web.Admin, a.editFXRate},
		{p, "/fx/:id", "fx.update", web.Admin, a.saveFXRate},
		// end of costs
		// service levels and BOT
		{g, "/engagements/:id/slas", "slas.index", web.SignedIn, a.slas},
		{g, "/engagements/:id/slas/new", "slas.new", web.Editor, a.slaNew},
		{p, "/engagements/:id/slas", "slas.create", web.Editor, a.slaCreate},
		{g, "/engagements/:id/slas/results", "slas.results", web.Editor, a.slaResultsForm},
		{p, "/engagements/:id/slas/results", "slas.record", web.Editor, a.slaResultsSave},
		{g, "/engagements/:id/slas/results/export", "slas.export_results", web.SignedIn, a.slaResultsExport},
		{g, "/engagements/:id/slas/breaches/export", "slas.export_breaches", web.SignedIn, a.slaBreachesExport},
		{g, "/slas/breaches", "slas.breaches", web.SignedIn, a.slaBreaches},
		{g, "/slas/:id/edit", "slas.edit", web.Editor, a.slaEdit},
		{p, "/slas/:id", "slas.update", web.Editor, a.slaUpdate},
		{p, "/slas/:id/archive", "slas.archive", web.Editor, a.slaArchive},
		{p, "/slas/:id/restore", "slas.restore", web.Editor, a.slaRestore},
		{g, "/engagements/:id/milestones", "milestones.index", web.SignedIn, a.milestones},
		{g, "/engagements/:id/milestones/export", "milestones.export", web.SignedIn, a.milestonesExport},
		{g, "/engagements/:id/milestones/new", "milestones.new", web.Editor, a.milestoneNew},
		{p, "/engagements/:id/milestones", "milestones.create", web.Editor, a.milestoneCreate},
		{g, "/milestones/:id/edit", "milestones.edit", web.Editor, a.milestoneEdit},
		{p, "/milestones/:id", "milestones.update", web.Editor, a.milestoneUpdate},
		{g, "/engagements/:id/readiness", "readiness.index", web.SignedIn, a.readiness},
		{p, "/engagements/:id/readiness", "readiness.create", web.Editor, a.readinessCreate},
		{p, "/readiness/:id", "readiness.update", web.Editor, a.readinessUpdate},
		{g, "/engagements/:id/exit", "exit.index", web.SignedIn, a.exitReadiness},
		{p, "/engagements/:id/exit", "exit.create", web.Editor, a.exitCreate},
		{p, "/exit/:id", "exit.update", web.Editor, a.exitUpdate},
		{g, "/engagements/:id/gates/new", "gates.new", web.Editor, a.gateNew},
		{p, "/engagements/:id/gates", "gates.create", web.Editor, a.gateCreate},
		{g, "/gates/:id/edit", "gates.edit", web.Editor, a.gateEdit},
		{p, "/gates/:id", "gates.update", web.Editor, a.gateUpdate},
		{g, "/transfers", "transfers.index", web.SignedIn, a.transfers},
		{g, "/transfers/export", "transfers.export", web.SignedIn, a.transfersExport},
		// end of service levels and BOT
		// end of costs, service levels, BOT transfers.

		// Lessons.
		{g, "/lessons", "lessons.index", web.SignedIn, a.lessons},
		{g, "/lessons/export", "lessons.export", web.SignedIn, a.lessonsExport},
		{g, "/lessons/new", "lessons.new", web.Editor, a.lessonNew},
		{p, "/lessons", "lessons.create", web.Editor, a.lessonCreate},
		{g, "/lessons/:id", "lessons.show", web.SignedIn, a.lessonShow},
		{g, "/lessons/:id/edit", "lessons.edit", web.Editor, a.lessonEdit},
		{p, "/lessons/:id", "lessons.update", web.Editor, a.lessonUpdate},
		{p, "/lessons/:id/archive", "lessons.archive", web.Editor, a.lessonArchive},
		{p, "/lessons/:id/restore", "lessons.restore", web.Editor, a.lessonRestore},
		// end of lessons.

		// Quarterly reviews.
		{g, "/reviews", "reviews.index", web.SignedIn, a.reviews},
		{g, "/reviews/:quarter", "reviews.show", web.SignedIn, a.review},
		{g, "/reviews/:quarter/pack.css", "reviews.css", web.SignedIn, a.packCSS},
		{g, "/reviews/:quarter/publish", "reviews.publish.confirm", web.Admin, a.publishConfirm},
		{p, "/reviews/:quarter/publish", "reviews.publish", web.Admin, a.publish},
		{g, "/reviews/:quarter/correct", "reviews.correct.confirm", web.Admin, a.correctConfirm},
		{p, "/reviews/:quarter/correct", "reviews.correct", web.Admin, a.correct},
		{g, "/reviews/:quarter/commentary", "reviews.portfolio.commentary", web.SignedIn, a.portfolioCommentaryEdit},
		{p, "/reviews/:quarter/commentary", "reviews.portfolio.commentary.save", web.Admin, a.portfolioCommentarySave},
		{g, "/reviews/:quarter/engagements/:id", "reviews.engagement", web.SignedIn, a.engagementReview},
		{g, "/reviews/:quarter/engagements/:id/commentary", "reviews.commentary", web.SignedIn, a.commentaryEdit},
		{p, "/reviews/:quarter/engagements/:id/commentary", "reviews.commentary.save", web.Editor, a.commentarySave},
		// end of quarterly reviews.
	}
}
