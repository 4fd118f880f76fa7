package seed

import "portfolio/models"

// riskTemplate is a risk as outsourcing registers word it, drawn from the seed
// articles' risk areas. {vendor}, {loc} and {bu} are filled per engagement.
type riskTemplate struct {
	Category    string
	Scope       string // "", ModelBOT or ModelITO
	Title       string
	Description string
	Mitigation  string
	Actions     [2]string
	L, I        int // typical inherent likelihood and impact
	Response    string
}

// Category names, shortened for the tables below.
const (
	catData      = "Data security & privacy"
	catIP        = "Intellectual property"
	catQuality   = "Service quality"
	catCulture   = "Cultural & organisational fit"
	catComms     = "Communication & coordination"
	catLockIn    = "Vendor dependency & lock-in"
	catRegulator = "Regulatory compliance"
	catFinance   = "Financial"
	catTransfer  = "Transition & knowledge transfer"
	catControl   = "Control vs autonomy"
	catObsolete  = "Technology obsolescence"
)

var riskCatalog = []riskTemplate{
	// Data security & privacy
	{catData, "", "Customer personal data reachable from {loc} without data-loss controls",
		"Vendor engineers in {loc} can query production customer tables for support; no masking or data-loss prevention covers their access.",
		"Mask personal data outside production, deploy DLP on vendor endpoints and stream privileged queries to the SIEM.",
		[2]string{"Enable dynamic data masking on the customer schema", "Roll out DLP agents to all {vendor} laptops"}, 4, 5, "reduce"},
	{catData, "", "Shared administrator accounts used by {vendor} shifts",
		"Several privileged accounts are shared between vendor shifts, so actions on production cannot be traced to a person.",
		"Move vendor administrators to named accounts in the privileged-access vault with session recording.",
		[2]string{"Onboard vendor administrators to the PAM vault", "Quarterly access recertification with {vendor}"}, 4, 4, "reduce"},
	{catData, "", "Cross-border transfer of personal data lacks a current transfer mechanism",
		"Data processed in {loc} relies on standard contractual clauses that have not been re-papered since the latest regulatory guidance.",
		"Complete the transfer impact assessment, sign the updated clauses and limit the fields replicated offshore.",
		[2]string{"Complete the transfer impact assessment", "Sign updated standard contractual clauses"}, 3, 4, "reduce"},
	{catData, "", "Lost or stolen laptops at the delivery centre",
		"Vendor staff take laptops home for on-call duty; disk-encryption compliance is reported at 93 %.",
		"Enforce full-disk encryption through device management and block non-compliant devices from the VPN.",
		[2]string{"Enforce encryption policy in device management", "Block non-compliant devices at the VPN gateway"}, 3, 3, "reduce"},
	{catData, "", "Unapproved SaaS and AI tools used with company data",
		"Vendor teams use unapproved file-sharing and AI assistant tools with company documents and code.",
		"Publish an approved-tools schedule in the contract, monitor with the cloud access broker and require quarterly attestation.",
		[2]string{"Add approved-tools schedule to the contract", "Configure CASB alerts for unapproved services"}, 4, 4, "reduce"},

	// Intellectual property
	{catIP, "", "Ownership of code and tooling built by {vendor} not explicit",
		"The statement of work is silent on the accelerators and scripts the vendor brings; we may not own what we need after exit.",
		"Amend the contract so all deliverables and derivative works are assigned to the company and vendor accelerators are licensed perpetually.",
		[2]string{"Agree the IP schedule amendment", "Inventory vendor-owned accelerators in use"}, 3, 4, "reduce"},
	{catIP, "", "Source code held only in the vendor's repositories",
		"Part of the code base lives in {vendor}'s own GitLab; the company has no mirror and no audit trail of changes.",
		"Mirror every repository to the company's source-control platform nightly and make it the system of record.",
		[2]string{"Set up nightly repository mirroring", "Move CI pipelines to the company platform"}, 3, 4, "reduce"},
	{catIP, "", "Proprietary models could be reused for other clients",
		"Pricing and forecasting models developed for {bu} could be reused by the vendor's teams working for competitors.",
		"Confidentiality and non-use clauses, clean-team rules for staff moving between accounts, and annual audit rights.",
		[2]string{"Add clean-team rules to the contract", "Run the annual IP compliance audit"}, 2, 4, "transfer"},
	{catIP, models.ModelBOT, "Inventions by centre staff not covered by invention-assignment terms",
		"Engineers employed by the vendor entity in {loc} are not bound by the company's invention-assignment agreement until transfer.",
		"Add invention assignment to the vendor's employment contracts and to the transfer terms of the BOT agreement.",
		[2]string{"Amend centre employment contracts", "Legal review of transfer terms"}, 2, 4, "reduce"},
	{catIP, "", "Open-source licence obligations unknown in delivered software",
		"No software bill of materials is delivered with releases; copyleft components may be embedded in customer-facing code.",
		"Require an SBOM and a licence scan with every release; block releases with unapproved licences.",
		[2]string{"Add SBOM to the definition of done", "Introduce licence scanning in the pipeline"}, 3, 3, "reduce"},

	// Service quality
	{catQuality, "", "Service levels at risk after vendor staff rotation",
		"{vendor} is moving experienced engineers to a new client; the replacement team is still learning our systems.",
		"Key-personnel clause, four weeks of shadowing for replacements and a monthly skills-matrix review.",
		[2]string{"Invoke the key-personnel clause", "Review the skills matrix monthly"}, 4, 3, "reduce"},
	{catQuality, "", "Incident backlog growing faster than it is resolved",
		"Open incidents have grown 30 % over two quarters; recurring root causes are not being addressed.",
		"Joint problem-management board, a backlog burn-down plan and escalation through service credits.",
		[2]string{"Start the joint problem-management board", "Agree backlog burn-down targets"}, 3, 3, "reduce"},
	{catQuality, "", "Service levels reported from the vendor's own tooling",
		"Monthly service-level reports come from tools we cannot audit; figures may be flattering.",
		"Feed raw ticket data into our own reporting and audit the calculations twice a year.",
		[2]string{"Build the independent SLA report", "Audit SLA calculations with {vendor}"}, 3, 3, "reduce"},
	{catQuality, "", "Release quality declining as the team grows",
		"Defects escaping to production have doubled since the team grew; regression testing is partly manual.",
		"Automate the regression suite, add quality gates to the pipeline and tie a bonus-malus to defect leakage.",
		[2]string{"Automate the top 200 regression cases", "Add quality gates to the release pipeline"}, 3, 4, "reduce"},
	{catQuality, "", "Thin out-of-hours support cover",
		"Night and weekend cover relies on two on-call engineers; P1 response times slip outside business hours.",
		"Follow-the-sun rota across delivery centres and a monthly test of the on-call escalation.",
		[2]string{"Design the follow-the-sun rota", "Test on-call escalation monthly"}, 3, 4, "reduce"},

	// Cultural & organisational fit
	{catCulture, "", "Different working cultures slow decision making",
		"Vendor teams wait for explicit instructions while our product owners expect initiative; sprints stall.",
		"A joint ways-of-working charter, cultural awareness sessions and product owners embedded in {loc}.",
		[2]string{"Agree the ways-of-working charter", "Run cultural awareness sessions for both teams"}, 3, 3, "reduce"},
	{catCulture, "", "Retained staff resist the outsourcing",
		"Members of the retained {bu} team see the vendor as a threat and withhold information.",
		"Clear retained-organisation roles, change communication from the sponsor and recognition for knowledge sharing.",
		[2]string{"Publish retained-organisation roles", "Sponsor town hall on the sourcing strategy"}, 4, 3, "reduce"},
	{catCulture, models.ModelBOT, "Centre staff do not identify with the company",
		"Engineers hired by the vendor entity feel like contractors and may not accept transfer offers.",
		"Company branding in the centre, invitations to all-hands, visible career paths and an early view of transfer terms.",
		[2]string{"Include centre staff in company all-hands", "Publish career paths for transferred roles"}, 3, 4, "reduce"},
	{catCulture, "", "Escalation styles differ between vendor and company managers",
		"Escalations go through {vendor}'s hierarchy; our managers expect direct contact with engineers.",
		"Agree a RACI and direct-contact norms; run a quarterly relationship health check.",
		[2]string{"Agree the joint RACI", "Run the relationship health survey"}, 2, 3, "reduce"},
	{catCulture, "", "Holiday calendars and working hours misaligned",
		"Public holidays in {loc} coincide with our quarter-end close and overlap hours are limited.",
		"A shared holiday calendar, minimum cover rules during close and three hours of daily overlap.",
		[2]string{"Publish the shared holiday calendar", "Agree close-period cover rules"}, 3, 2, "accept"},

	// Communication & coordination
	{catComms, "", "Time-zone gap limits overlap with business users",
		"Only two working hours overlap between {loc} and head office; questions wait a day for an answer.",
		"Move part of the team to a late rota, use written asynchronous updates and a daily overlap stand-up.",
		[2]string{"Introduce the late rota", "Start the daily overlap stand-up"}, 4, 2, "reduce"},
	{catComms, "", "Requirements lost between the business and the delivery team",
		"Requirements pass through three hand-offs; rework accounts for about 20 % of effort.",
		"Embed a business analyst with the team, write acceptance criteria for every story and demo fortnightly.",
		[2]string{"Embed a business analyst in {loc}", "Fortnightly demos to {bu} users"}, 3, 3, "reduce"},
	{catComms, "", "Governance meetings cancelled or not minuted",
		"Monthly service reviews were cancelled twice this quarter and actions are not tracked.",
		"Fix the governance calendar in the contract and publish minutes and actions in the portfolio tool.",
		[2]string{"Fix the governance calendar for the year", "Track review actions in the portfolio tool"}, 3, 2, "reduce"},
	{catComms, "", "Language barriers in end-user support",
		"Users in France and Germany report difficulty being understood by the service desk.",
		"Native-language queues for the top five languages and quarterly call-quality audits.",
		[2]string{"Open French and German queues", "Quarterly call-quality audit"}, 3, 3, "reduce"},
	{catComms, "", "Vendors blame each other at service boundaries",
		"Incidents spanning network and applications bounce between towers without an owner.",
		"A service-integration model with a single incident owner and operational-level agreements between vendors.",
		[2]string{"Appoint the service-integration lead", "Sign operational-level agreements between vendors"}, 4, 3, "reduce"},

	// Vendor dependency & lock-in
	{catLockIn, "", "Only {vendor} knows the integration layer",
		"Knowledge of the integration layer sits entirely with the vendor team; switching supplier would take over a year.",
		"Document the architecture, rotate company engineers into the team and keep a second-source option alive.",
		[2]string{"Architecture documentation sprint", "Rotate two company engineers into the team"}, 4, 4, "reduce"},
	{catLockIn, "", "Proprietary vendor tooling embedded in operations",
		"Monitoring and automation run on {vendor}'s proprietary platform, which leaves with the vendor at exit.",
		"Negotiate a perpetual licence at exit or migrate to open tooling during the contract.",
		[2]string{"Price a perpetual exit licence", "Pilot open-source monitoring"}, 3, 4, "reduce"},
	{catLockIn, "", "Exit plan never tested",
		"The contract's exit plan has never been rehearsed and data export formats are unverified.",
		"An annual desktop exercise of the exit plan and a test export of data and configuration.",
		[2]string{"Run the exit-plan desktop exercise", "Test export of data and configuration"}, 3, 4, "reduce"},
	{catLockIn, "", "Workloads tied to one hyperscaler's managed services",
		"Workloads use provider-specific services; moving them would need re-engineering.",
		"Containerise workloads, keep infrastructure as code portable and record exit costs per service.",
		[2]string{"Containerise the top ten workloads", "Record exit cost per managed service"}, 3, 3, "accept"},
	{catLockIn, "", "Vendor price increase at renewal",
		"Few alternatives give {vendor} leverage at renewal; the indexation clause allows up to 7 % a year.",
		"Benchmark prices a year before renewal, prepare a competitive RFP and cap indexation.",
		[2]string{"Commission the price benchmark", "Prepare the renewal RFP"}, 4, 3, "reduce"},

	// Regulatory compliance
	{catRegulator, "", "Outsourcing register incomplete for the regulator",
		"The material-outsourcing register lacks this arrangement's latest sub-contractors.",
		"Update the register and notify the regulator of the sub-outsourcing changes.",
		[2]string{"Update the outsourcing register", "Notify the regulator of sub-outsourcing"}, 2, 5, "reduce"},
	{catRegulator, "", "Audit rights hard to exercise at the delivery centre",
		"The contract grants audit rights, but site access in {loc} requires 90 days' notice.",
		"Renegotiate notice to 30 days and add pooled audits and remote access to evidence.",
		[2]string{"Renegotiate audit notice period", "Join the pooled audit scheme"}, 3, 4, "reduce"},
	{catRegulator, "", "Vendor does not meet operational-resilience rules",
		"Incident reporting timelines and resilience testing fall short of the new operational-resilience regulation.",
		"A contract addendum for incident reporting within four hours, annual scenario testing and an exit strategy.",
		[2]string{"Sign the resilience addendum", "Run the annual scenario test with {vendor}"}, 3, 4, "reduce"},
	{catRegulator, models.ModelBOT, "Local employment law complicates the people transfer",
		"Transferring staff from the vendor entity in {loc} triggers consultation and equal-terms obligations.",
		"Engage local counsel early, plan consultation into the transfer timeline and budget for harmonisation.",
		[2]string{"Appoint local employment counsel", "Plan the employee consultation"}, 3, 4, "reduce"},
	{catRegulator, "", "Vendor staff not screened to company standard",
		"Background checks in {loc} cover criminal records only; our policy also requires employment checks for privileged roles.",
		"A screening schedule in the contract and quarterly sampling of screening evidence.",
		[2]string{"Add the screening schedule", "Sample screening evidence quarterly"}, 3, 3, "reduce"},

	// Financial
	{catFinance, "", "Savings behind plan as volumes grow",
		"Ticket and change volumes run 25 % above the contract baseline and trigger additional resource charges.",
		"Demand management with {bu}, re-baselining of volumes and a unit-price review.",
		[2]string{"Agree demand-management rules with {bu}", "Re-baseline contract volumes"}, 4, 3, "reduce"},
	{catFinance, "", "Exchange-rate movement raises the contract cost",
		"Fees are paid in local currency; a 10 % move against the dollar erodes a third of the planned savings.",
		"Hedge twelve months forward with treasury and share currency risk bands in the contract.",
		[2]string{"Agree the hedge with treasury", "Add currency bands at renewal"}, 3, 3, "transfer"},
	{catFinance, "", "Wage inflation in {loc} above contract indexation",
		"Local IT salaries rose 12 % last year; the vendor is seeking a mid-term price increase.",
		"Hold to the contract indexation, trade productivity commitments for any increase and prepare alternative locations.",
		[2]string{"Respond to the price-increase request", "Assess an alternative delivery location"}, 4, 3, "reduce"},
	{catFinance, "", "Retained organisation costs above the business case",
		"The retained team is larger than the business case assumed, so net savings are overstated.",
		"Re-baseline the retained organisation and track it monthly against the business case.",
		[2]string{"Re-baseline the retained organisation", "Add retained cost to the monthly report"}, 3, 3, "reduce"},
	{catFinance, "", "Transition one-off costs overrun",
		"Parallel running lasted two months longer than planned and the one-off budget is 30 % overspent.",
		"Fixed-price transition milestones, weekly burn tracking and sponsor approval for extensions.",
		[2]string{"Convert remaining transition work to fixed price", "Weekly burn report to the sponsor"}, 3, 3, "reduce"},
	{catFinance, "", "Vendor financial stability weakening",
		"{vendor}'s latest results show falling margins and a credit-rating downgrade.",
		"Quarterly financial-health monitoring, step-in rights and escrow of key assets.",
		[2]string{"Set up quarterly financial monitoring", "Place key assets in escrow"}, 2, 5, "transfer"},

	// Transition & knowledge transfer
	{catTransfer, "", "Knowledge transfer incomplete before service commencement",
		"Shadowing and reverse-shadowing were shortened; several runbooks are missing.",
		"Extend reverse shadowing for critical services and gate commencement on runbook sign-off.",
		[2]string{"Extend reverse shadowing for critical services", "Sign off the runbook inventory"}, 4, 4, "reduce"},
	{catTransfer, "", "Key experts leaving before hand-over",
		"Two long-serving experts have resigned and their knowledge is undocumented.",
		"Retention bonuses until hand-over, recorded walkthroughs and paired sessions.",
		[2]string{"Agree retention bonuses", "Record system walkthroughs"}, 4, 4, "reduce"},
	{catTransfer, "", "Documentation out of date",
		"System documentation was last updated three years ago; the team relies on tribal knowledge.",
		"A documentation sprint with acceptance criteria and a living wiki owned by the team.",
		[2]string{"Run the documentation sprint", "Assign wiki page owners"}, 3, 3, "reduce"},
	{catTransfer, models.ModelBOT, "Too few centre staff accept transfer offers",
		"Fewer than 70 % of centre staff have said they will accept transfer offers.",
		"Competitive transfer packages, early engagement with employees and retention bonuses for twelve months.",
		[2]string{"Benchmark transfer packages", "One-to-one conversations with key staff"}, 4, 4, "reduce"},
	{catTransfer, models.ModelBOT, "Post-transfer support period too short",
		"The agreement provides 30 days of vendor support after transfer; complex incidents may take longer.",
		"Negotiate 90 days of hypercare with named vendor experts on call.",
		[2]string{"Negotiate 90-day hypercare", "Name vendor experts for hypercare"}, 3, 3, "reduce"},
	{catTransfer, models.ModelITO, "Parallel run reveals reconciliation gaps",
		"Reconciliation during the parallel run found differences in month-end reports.",
		"Extend the parallel run by one cycle and fix reconciliations before cut-over.",
		[2]string{"Extend the parallel run by one cycle", "Fix and re-test reconciliations"}, 3, 4, "reduce"},

	// Control vs autonomy
	{catControl, "", "Company losing architectural control of the platform",
		"The vendor makes design decisions without the company's architecture board.",
		"All significant changes go through our architecture review board; design authority stays in-house.",
		[2]string{"Route designs through the architecture board", "Appoint an in-house design authority"}, 3, 3, "reduce"},
	{catControl, "", "Vendor sets priorities without business input",
		"Backlog priorities are set by the vendor's delivery lead rather than the {bu} product owner.",
		"The product owner from {bu} owns the backlog; a monthly steering meeting reviews priorities.",
		[2]string{"Name the {bu} product owner", "Monthly backlog steering"}, 3, 3, "reduce"},
	{catControl, "", "Retained organisation too thin to manage the vendor",
		"One vendor manager oversees a large vendor team; performance issues go unnoticed.",
		"Strengthen the retained organisation with a service manager and a commercial analyst.",
		[2]string{"Recruit a service manager", "Recruit a commercial analyst"}, 3, 4, "reduce"},
	{catControl, "", "Over-specified processes stifle vendor innovation",
		"Detailed work instructions leave the vendor little room to improve and productivity gains have stalled.",
		"Outcome-based service levels and a gain-share scheme for improvements.",
		[2]string{"Draft outcome-based service levels", "Design the gain-share scheme"}, 2, 3, "accept"},
	{catControl, models.ModelBOT, "Centre leadership answers to the vendor, not to us",
		"The centre head is a vendor employee whose objectives are set by {vendor}.",
		"Joint objectives for the centre head and a reporting line to our CIO from the build phase.",
		[2]string{"Agree joint objectives for the centre head", "Monthly one-to-one with the CIO"}, 3, 3, "reduce"},

	// Technology obsolescence
	{catObsolete, "", "Platform approaching end of vendor support",
		"The operating-system and database versions leave mainstream support within twelve months.",
		"Fund the upgrade in next year's plan and agree the vendor's upgrade approach.",
		[2]string{"Include the upgrade in the budget", "Agree the upgrade plan with {vendor}"}, 4, 3, "reduce"},
	{catObsolete, "", "Scarce legacy skills in the vendor's pool",
		"Few engineers with COBOL and CICS skills remain in {vendor}'s pool.",
		"Retain named experts, pair them with apprentices and publish a modernisation roadmap.",
		[2]string{"Name and retain legacy experts", "Start the apprentice pairing programme"}, 4, 4, "reduce"},
	{catObsolete, "", "Tooling frozen at contract signature",
		"The contract fixes the tooling at signature with no obligation to adopt newer automation.",
		"A technology-refresh clause and an annual innovation plan with measurable productivity gains.",
		[2]string{"Add a technology-refresh clause", "Review the annual innovation plan"}, 3, 2, "accept"},
	{catObsolete, "", "Hardware refresh deferred",
		"Server and network hardware at two sites is past its five-year life and failure rates are rising.",
		"Approve a phased refresh and move workloads to cloud where the business case holds.",
		[2]string{"Approve the phased hardware refresh", "Cloud business case for remaining workloads"}, 3, 4, "reduce"},
	{catObsolete, "", "Automation and AI opportunities not captured",
		"Peers automate routine tickets with AI; our contract gives the vendor no incentive to do so.",
		"Introduce automation targets and share the resulting savings.",
		[2]string{"Set automation targets for next year", "Agree the savings-share mechanism"}, 3, 2, "reduce"},
}

// portfolioRisks are risks to the whole portfolio (no engagement).
var portfolioRisks = []riskTemplate{
	{catLockIn, "", "Outsourcing spend concentrated with two tier-1 vendors",
		"More than half of outsourcing spend sits with two vendors; the failure of either would affect several towers.",
		"A multi-sourcing strategy for new scope and an annual concentration review by the board.",
		[2]string{"Publish the multi-sourcing strategy", "Board review of vendor concentration"}, 3, 5, "reduce"},
	{catFinance, "", "Offshore wage inflation erodes programme savings",
		"IT salaries in India, Poland and the Philippines rose 9–12 % this year against 3–5 % contract indexation.",
		"Productivity commitments in every renewal and a location strategy with a second country per tower.",
		[2]string{"Add productivity commitments to renewals", "Approve the location strategy"}, 4, 3, "reduce"},
	{catRegulator, "", "Operational-resilience regulation applies to all critical outsourcing",
		"New operational-resilience rules require tested exit plans and incident reporting from every critical supplier.",
		"A portfolio-wide contract addendum, a register of critical services and annual scenario tests.",
		[2]string{"Issue the resilience addendum to all vendors", "Build the register of critical services"}, 4, 4, "reduce"},
	{catFinance, "", "Currency volatility of INR, EUR and GBP against the dollar",
		"A third of outsourcing spend is in currencies other than the reporting currency.",
		"Treasury hedges twelve months forward; business cases are tested at ±10 % exchange rates.",
		[2]string{"Extend the hedging programme", "Stress-test business cases at ±10 %"}, 3, 3, "transfer"},
	{catControl, "", "Retained organisation lacks vendor-management skills",
		"Vendor managers were promoted from technical roles and have had no commercial or contract training.",
		"A vendor-management curriculum and a community of practice across engagements.",
		[2]string{"Launch the vendor-management curriculum", "Start the community of practice"}, 3, 4, "reduce"},
	{catQuality, "", "Geopolitical or climate disruption in a delivery region",
		"Several engagements depend on delivery centres in one region; floods or unrest could stop services.",
		"Tested business-continuity plans per centre and a second location for every critical service.",
		[2]string{"Test business-continuity plans per centre", "Map critical services to second locations"}, 2, 5, "transfer"},
	{catData, "", "Vendors' use of generative AI with company data",
		"Vendor staff may paste company code and documents into public AI services.",
		"A portfolio-wide AI usage clause, approved enterprise AI tools and monitoring of outbound traffic.",
		[2]string{"Issue the AI usage clause to all vendors", "Provide an approved enterprise AI tool"}, 4, 4, "reduce"},
	{catTransfer, "", "Knowledge drain as BOT centres transfer",
		"Three BOT centres transfer within eighteen months; vendor experts may leave before the company can replace them.",
		"Staggered transfer dates, retention bonuses and a shared hypercare pool across centres.",
		[2]string{"Stagger the transfer calendar", "Fund the shared hypercare pool"}, 3, 4, "reduce"},
}

// closedReasons and acceptance wording for the register.
var (
	closedReasons = []string{
		"Mitigation complete; residual exposure verified within appetite",
		"Controls tested by internal audit and found effective",
		"No longer applicable after the contract amendment",
		"Superseded by a portfolio-wide risk",
		"Cause removed: the affected service was decommissioned",
	}
	acceptJustifications = []string{
		"Residual exposure is within appetite; further mitigation would cost more than the expected loss.",
		"Accepted until the platform is retired at the end of the contract.",
		"Business accepts the limitation in exchange for the lower rate of the delivery location.",
		"Compensating controls in place; to be revisited at the next contract renewal.",
	}
)
