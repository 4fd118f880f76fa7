package seed

import "portfolio/models"

// The demo portfolio: a diversified group (retail, digital commerce, manufacturing
// in India, finance) with fifteen ITO contracts across the six towers and nine BOT
// centres in every phase. Vendors are fictitious.

// demoManagers are further managers who own engagements and risks; they have no
// password until an admin sets one.
var demoManagers = []struct{ Name, Email string }{
	{"Daniel Whitfield", "daniel.whitfield@portfolio.example"},
	{"Sofia Lindqvist", "sofia.lindqvist@portfolio.example"},
	{"Marek Kowalski", "marek.kowalski@portfolio.example"},
	{"Aisha Bello", "aisha.bello@portfolio.example"},
	{"Rahul Mehta", "rahul.mehta@portfolio.example"},
	{"Claire Dubois", "claire.dubois@portfolio.example"},
}

// demoVendor is a vendor and its selection scorecard.
type demoVendor struct {
	Name, Country, Locations                       string
	Tier                                           int
	Expertise, Track, Financial, Culture, Security int
	References                                     bool
	Notes                                          string
}

var demoVendors = []demoVendor{
	{"Northwind Technology Services", "United States", "Dallas, US; Chennai, India; Manila, Philippines", 1, 5, 5, 5, 3, 4, true,
		"Global infrastructure and application services provider; strong tooling, hierarchical account management."},
	{"Kaveri Systems", "India", "Bengaluru; Pune; Hyderabad", 1, 4, 4, 4, 3, 4, true,
		"Tier-1 Indian provider with SAP, data and BOT capability-centre practice."},
	{"Vistula Software House", "Poland", "Kraków; Wrocław; Gdańsk", 2, 4, 4, 3, 5, 4, true,
		"Product-engineering firm; nearshore to head office, strong cultural fit, mid-sized balance sheet."},
	{"Danube Data Services", "Romania", "Cluj-Napoca; Bucharest; Iași", 2, 3, 3, 3, 4, 3, true,
		"Multilingual end-user services; competitive rates, limited automation."},
	{"Andes Nearshore Labs", "Colombia", "Medellín; Bogotá; Montevideo, Uruguay", 2, 4, 3, 3, 5, 3, true,
		"Nearshore cloud and digital engineering for the Americas time zones."},
	{"Sentinel Cyber Defence", "United Kingdom", "Manchester; Belfast; Edinburgh", 2, 5, 4, 3, 4, 5, true,
		"Specialist managed security provider; CREST accredited."},
	{"Meridian Global Services", "Philippines", "Manila; Cebu; Kraków, Poland", 2, 3, 4, 4, 4, 3, true,
		"Service-desk and support operations; follow-the-sun with a European hub."},
	{"Baltic Cloud Engineering", "Lithuania", "Vilnius; Kaunas; Riga, Latvia", 3, 4, 2, 2, 4, 4, false,
		"Young cloud consultancy growing fast; references for the platform centre still being checked."},
}

// demoEngagement is one engagement of the demo and the knobs that shape its data.
type demoEngagement struct {
	Code, Name, Tower string
	Vendor            int // index in demoVendors
	BU, Location      string
	Sponsor, Manager  string // Manager is an email
	Co                []string
	Phase             string
	StartAgo          int   // months before the anchor it started (negative: planned start)
	StartDay          int   // day of the month it started
	Steps             []int // months after the start at which each later phase began
	Term              int   // contract months (BOT: start to planned transfer)
	TransferIn        int   // BOT in Transfer: planned transfer, days after the anchor
	Value             int64 // whole units of Currency
	Currency, Pricing string
	VendorHC          int
	ClientHC          int
	Desc              string
	SavePct, Delivery int
	Avoidance         bool
	SLAs, SLAMiss     int
	Target            string // designed health colour
	Risk              string // "high" or "critical": a designed open risk
	DesignedRisk      string // title of that risk's template
	LateKey           bool
	LateMinor         bool
	Overdue           int
	Readiness         []int
	Issue             string // what governance reviews report when not green
	Escalation        string // and what they escalate
}

const (
	towerInf   = "Infrastructure management"
	towerADM   = "Application development & maintenance"
	towerHelp  = "Technical support (help desk)"
	towerSec   = "Cybersecurity services"
	towerData  = "Data management"
	towerCloud = "Cloud services"
	tm         = "Time & materials"
	managed    = "Managed service"
	fixed      = "Fixed price"
	cio        = "Helen Marsh, CIO"
	cfo        = "Jonathan Price, CFO"
	coo        = "Mariana Costa, COO"
	cdo        = "Oliver Grant, Chief Digital Officer"
	ciso       = "Ingrid Berg, CISO"
	mdIndia    = "Sanjay Kapoor, Managing Director India"
	dataChief  = "Michael Osei, Chief Data Officer"
	priya      = "manager@portfolio.example"
	tomas      = "tomas.novak@portfolio.example"
	grace      = "grace.okafor@portfolio.example"
	daniel     = "daniel.whitfield@portfolio.example"
	sofia      = "sofia.lindqvist@portfolio.example"
	marek      = "marek.kowalski@portfolio.example"
	aisha      = "aisha.bello@portfolio.example"
	rahul      = "rahul.mehta@portfolio.example"
	claire     = "claire.dubois@portfolio.example"
)

var demoEngagements = []demoEngagement{
	{Code: "ITO-INF-01", Name: "Data centre and network operations", Tower: towerInf, Vendor: 0,
		BU: "Group Technology", Location: "Dallas, US / Chennai, India", Sponsor: cio, Manager: priya,
		Phase: "Run", StartAgo: 44, StartDay: 1, Steps: []int{5}, Term: 60, Value: 48_600_000, Currency: "USD", Pricing: managed,
		VendorHC: 120, ClientHC: 14, Desc: "Operation of two data centres, the wide-area network and 1,900 servers, with a remote operations centre in Chennai.",
		SavePct: 22, Delivery: 104, SLAs: 4, Target: models.Green},
	{Code: "ITO-INF-02", Name: "End-user computing and field services (EMEA)", Tower: towerInf, Vendor: 3,
		BU: "Group Technology", Location: "Cluj-Napoca, Romania", Sponsor: cio, Manager: daniel, Co: []string{claire},
		Phase: "Run", StartAgo: 30, StartDay: 15, Steps: []int{4}, Term: 48, Value: 14_200_000, Currency: "EUR", Pricing: managed,
		VendorHC: 46, ClientHC: 6, Desc: "Desktop, laptop and mobile support for 11,000 users in fourteen European countries, with deskside field engineers.",
		SavePct: 18, Delivery: 89, SLAs: 3, Target: models.Amber, Overdue: 1,
		Issue: "savings are below 90 % of plan because deskside visits exceed the contracted volume", Escalation: "Volume overrun and savings shortfall escalated to the vendor's account executive."},
	{Code: "ITO-ADM-01", Name: "SAP S/4HANA application management", Tower: towerADM, Vendor: 1,
		BU: "Finance & Treasury", Location: "Bengaluru, India", Sponsor: cfo, Manager: aisha,
		Phase: "Run", StartAgo: 38, StartDay: 1, Steps: []int{6}, Term: 60, Value: 31_500_000, Currency: "USD", Pricing: managed,
		VendorHC: 85, ClientHC: 9, Desc: "Second- and third-line support, enhancements and release management of the S/4HANA finance and procurement platform.",
		SavePct: 25, Delivery: 72, SLAs: 3, Target: models.Red, Risk: "high", DesignedRisk: "Savings behind plan as volumes grow", Overdue: 1,
		Issue: "net savings are a quarter below plan after change volumes grew 25 % above the baseline", Escalation: "Savings shortfall raised at the executive steering committee by the sponsor."},
	{Code: "ITO-ADM-02", Name: "E-commerce platform development and maintenance", Tower: towerADM, Vendor: 2,
		BU: "Digital Commerce", Location: "Kraków, Poland", Sponsor: cdo, Manager: tomas,
		Phase: "Run", StartAgo: 28, StartDay: 1, Steps: []int{3}, Term: 36, Value: 9_800_000, Currency: "EUR", Pricing: tm,
		VendorHC: 38, ClientHC: 5, Desc: "Feature development, performance engineering and 24×7 support of the web shop and mobile apps in eleven markets.",
		SavePct: 20, Delivery: 100, SLAs: 4, SLAMiss: 1, Target: models.Amber,
		Issue: "a release slipped after regression failures and one service level was missed", Escalation: "Release quality escalated to the vendor's delivery director."},
	{Code: "ITO-ADM-03", Name: "Legacy mainframe application support", Tower: towerADM, Vendor: 0,
		BU: "Finance & Treasury", Location: "Chennai, India", Sponsor: cfo, Manager: daniel, Co: []string{aisha},
		Phase: "Exit", StartAgo: 70, StartDay: 1, Steps: []int{6, 66}, Term: 72, Value: 22_000_000, Currency: "USD", Pricing: fixed,
		VendorHC: 30, ClientHC: 4, Desc: "Maintenance of the COBOL/CICS billing and ledger applications until retirement; the exit hands knowledge to the S/4HANA team.",
		SavePct: 15, Delivery: 100, SLAs: 2, Target: models.Red, Risk: "critical", DesignedRisk: "Scarce legacy skills in the vendor's pool",
		LateKey: true, Overdue: 1,
		Issue: "knowledge transfer to the successor team is more than a month late and legacy skills are scarce", Escalation: "Knowledge-transfer delay escalated to the exit steering committee; retention bonuses requested for two named experts."},
	{Code: "ITO-HLP-01", Name: "Global service desk (24×7, nine languages)", Tower: towerHelp, Vendor: 6,
		BU: "Group Technology", Location: "Manila, Philippines / Kraków, Poland", Sponsor: cio, Manager: priya,
		Phase: "Run", StartAgo: 34, StartDay: 1, Steps: []int{4}, Term: 60, Value: 18_400_000, Currency: "USD", Pricing: managed,
		VendorHC: 140, ClientHC: 8, Desc: "First-line support by phone, chat and portal for 32,000 employees in nine languages, follow-the-sun between Manila and Kraków.",
		SavePct: 24, Delivery: 101, SLAs: 3, SLAMiss: 2, Target: models.Red, Risk: "high", DesignedRisk: "Service levels at risk after vendor staff rotation",
		Overdue: 1, Issue: "first-contact resolution and call answering were below target for most of the quarter", Escalation: "Repeated service-level failures escalated to the vendor's account executive; remediation plan requested under the contract."},
	{Code: "ITO-HLP-02", Name: "Retail store technology support (UK & Ireland)", Tower: towerHelp, Vendor: 6,
		BU: "Retail Operations", Location: "Leeds, UK / Cebu, Philippines", Sponsor: coo, Manager: grace, Co: []string{priya},
		Phase: "Transition", StartAgo: 4, StartDay: 3, Term: 48, Value: 6_900_000, Currency: "GBP", Pricing: fixed,
		VendorHC: 22, ClientHC: 4, Desc: "Support of tills, store networks and handheld devices in 640 stores, with field engineers on a four-hour fix.",
		SavePct: 17, Delivery: 100, SLAs: 3, Target: models.Amber, LateMinor: true,
		Issue: "the parallel run is behind the transition plan", Escalation: "Parallel-run delay escalated to the transition board."},
	{Code: "ITO-SEC-01", Name: "Managed security operations centre", Tower: towerSec, Vendor: 5,
		BU: "Group Technology", Location: "Manchester, UK", Sponsor: ciso, Manager: grace,
		Phase: "Run", StartAgo: 31, StartDay: 1, Steps: []int{4}, Term: 48, Value: 11_600_000, Currency: "GBP", Pricing: managed,
		VendorHC: 28, ClientHC: 5, Desc: "24×7 monitoring, detection and response across 3,800 endpoints, the SIEM and cloud estates; cost avoided against building an in-house SOC.",
		SavePct: 20, Delivery: 106, Avoidance: true, SLAs: 3, Target: models.Green},
	{Code: "ITO-SEC-02", Name: "Vulnerability management and penetration testing", Tower: towerSec, Vendor: 5,
		BU: "Group Technology", Location: "Belfast, UK", Sponsor: ciso, Manager: grace,
		Phase: "Ended", StartAgo: 40, StartDay: 1, Steps: []int{2, 32, 36}, Term: 36, Value: 3_200_000, Currency: "GBP", Pricing: tm,
		VendorHC: 9, ClientHC: 1, Desc: "Scanning, prioritisation and annual penetration tests; ended when the service was absorbed into the SOC contract.",
		SavePct: 12, Delivery: 100, SLAs: 2, Target: models.Green},
	{Code: "ITO-DAT-01", Name: "Enterprise data platform operations", Tower: towerData, Vendor: 1,
		BU: "Group Data Office", Location: "Pune, India", Sponsor: dataChief, Manager: priya,
		Phase: "Run", StartAgo: 28, StartDay: 1, Steps: []int{5}, Term: 48, Value: 12_700_000, Currency: "USD", Pricing: managed,
		VendorHC: 36, ClientHC: 5, Desc: "Run and change of the data lake, the warehouse pipelines and 240 management reports.",
		SavePct: 19, Delivery: 100, SLAs: 3, Target: models.Amber, Risk: "high",
		DesignedRisk: "Customer personal data reachable from {loc} without data-loss controls", Overdue: 2,
		Issue: "a High risk on support access to customer data remains out of appetite", Escalation: "Out-of-appetite access risk escalated to the CISO."},
	{Code: "ITO-DAT-02", Name: "Master data management services (India)", Tower: towerData, Vendor: 1,
		BU: "Manufacturing India", Location: "Hyderabad, India", Sponsor: mdIndia, Manager: rahul,
		Phase: "Run", StartAgo: 29, StartDay: 15, Steps: []int{4}, Term: 60, Value: 460_000_000, Currency: "INR", Pricing: tm,
		VendorHC: 34, ClientHC: 3, Desc: "Creation and stewardship of customer, material and supplier master data for the Indian plants.",
		SavePct: 21, Delivery: 102, SLAs: 3, Target: models.Green},
	{Code: "ITO-CLD-01", Name: "Public cloud operations (AWS and Azure)", Tower: towerCloud, Vendor: 4,
		BU: "Group Technology", Location: "Medellín, Colombia", Sponsor: cio, Manager: sofia,
		Phase: "Run", StartAgo: 33, StartDay: 1, Steps: []int{3}, Term: 48, Value: 15_900_000, Currency: "USD", Pricing: managed,
		VendorHC: 31, ClientHC: 6, Desc: "Operation, cost management and security hardening of 2,300 cloud workloads across two providers.",
		SavePct: 26, Delivery: 103, Avoidance: true, SLAs: 4, Target: models.Green},
	{Code: "ITO-CLD-02", Name: "Cloud migration factory (wave 2)", Tower: towerCloud, Vendor: 7,
		BU: "Group Technology", Location: "Vilnius, Lithuania", Sponsor: cio, Manager: sofia,
		Phase: "Transition", StartAgo: 6, StartDay: 1, Term: 24, Value: 4_400_000, Currency: "EUR", Pricing: fixed,
		VendorHC: 25, ClientHC: 4, Desc: "Migration of 380 applications from the Frankfurt data centre to the cloud landing zone.",
		SavePct: 15, Delivery: 100, SLAs: 2, Target: models.Amber, Risk: "high", DesignedRisk: "Workloads tied to one hyperscaler's managed services",
		Issue: "dependency on provider-specific services is out of appetite", Escalation: "Lock-in exposure escalated to the architecture board."},
	{Code: "ITO-CLD-03", Name: "FinOps and cloud cost management", Tower: towerCloud, Vendor: 7,
		BU: "Group Technology", Location: "Vilnius, Lithuania", Sponsor: cfo, Manager: sofia,
		Phase: "Selection", StartAgo: -3, StartDay: 1, Term: 36, Value: 2_800_000, Currency: "USD", Pricing: tm,
		VendorHC: 12, ClientHC: 2, Desc: "Cost visibility, rightsizing and commitment management across all cloud accounts; contract in negotiation.",
		SavePct: 18, Delivery: 100, Target: models.Green},
	{Code: "ITO-INF-03", Name: "Network refresh and SD-WAN managed service", Tower: towerInf, Vendor: 0,
		BU: "Supply Chain & Logistics", Location: "Dallas, US", Sponsor: coo, Manager: daniel,
		Phase: "Ended", StartAgo: 62, StartDay: 1, Steps: []int{4, 50, 54}, Term: 54, Value: 26_000_000, Currency: "USD", Pricing: managed,
		VendorHC: 40, ClientHC: 4, Desc: "SD-WAN for 210 warehouses and offices; ended when the network moved to a new provider under in-house management.",
		SavePct: 18, Delivery: 100, SLAs: 3, Target: models.Green},

	{Code: "BOT-PL-01", Name: "Kraków engineering centre", Tower: towerADM, Vendor: 2,
		BU: "Digital Commerce", Location: "Kraków, Poland", Sponsor: cdo, Manager: tomas,
		Phase: "Operate", StartAgo: 30, StartDay: 1, Steps: []int{9}, Term: 48, Value: 21_500_000, Currency: "EUR", Pricing: tm,
		VendorHC: 95, ClientHC: 8, Desc: "A 95-engineer product-engineering centre built and run by Vistula for transfer to our Polish entity.",
		SavePct: 30, Delivery: 100, SLAs: 3, Target: models.Green},
	{Code: "BOT-PL-02", Name: "Wrocław data and analytics hub", Tower: towerData, Vendor: 2,
		BU: "Group Data Office", Location: "Wrocław, Poland", Sponsor: dataChief, Manager: priya, Co: []string{tomas},
		Phase: "Transfer", StartAgo: 34, StartDay: 1, Steps: []int{8, 32}, TransferIn: 40, Value: 16_800_000, Currency: "EUR", Pricing: tm,
		VendorHC: 60, ClientHC: 10, Desc: "Data engineering and analytics hub of sixty people, in transfer to the group data office.",
		SavePct: 28, Delivery: 100, SLAs: 3, Target: models.Red, Risk: "critical", DesignedRisk: "Too few centre staff accept transfer offers",
		Overdue: 1, Readiness: []int{1, 1, 1, 1, 2, 1, 2, 0},
		Issue: "transfer readiness is below 70 % with the transfer date six weeks away", Escalation: "Readiness gaps escalated to the transfer board."},
	{Code: "BOT-IN-01", Name: "Bengaluru global capability centre", Tower: towerADM, Vendor: 1,
		BU: "Group Technology", Location: "Bengaluru, India", Sponsor: mdIndia, Manager: rahul,
		Phase: "Transferred", StartAgo: 48, StartDay: 1, Steps: []int{9, 36, 44}, Term: 44, Value: 2_100_000_000, Currency: "INR", Pricing: tm,
		VendorHC: 6, ClientHC: 240, Desc: "A 240-person capability centre for application engineering, transferred to our Indian subsidiary.",
		SavePct: 35, Delivery: 108, SLAs: 3, Target: models.Green},
	{Code: "BOT-IN-02", Name: "Hyderabad cyber defence centre", Tower: towerSec, Vendor: 1,
		BU: "Group Technology", Location: "Hyderabad, India", Sponsor: ciso, Manager: priya, Co: []string{rahul},
		Phase: "Build", StartAgo: 7, StartDay: 1, Term: 36, Value: 14_500_000, Currency: "USD", Pricing: tm,
		VendorHC: 35, ClientHC: 5, Desc: "Build of a 24×7 cyber defence centre that takes over detection and response after transfer.",
		SavePct: 25, Delivery: 100, SLAs: 3, Target: models.Red, Risk: "critical", DesignedRisk: "Shared administrator accounts used by {vendor} shifts",
		LateKey: true, Issue: "privileged access to production security tooling is not yet segregated and hiring is behind plan", Escalation: "Privileged-access findings escalated to the CISO; hiring shortfall escalated to the vendor's centre head."},
	{Code: "BOT-CO-01", Name: "Medellín nearshore digital studio", Tower: towerADM, Vendor: 4,
		BU: "Digital Commerce", Location: "Medellín, Colombia", Sponsor: cdo, Manager: marek,
		Phase: "Operate", StartAgo: 27, StartDay: 1, Steps: []int{8}, Term: 42, Value: 12_200_000, Currency: "USD", Pricing: tm,
		VendorHC: 70, ClientHC: 5, Desc: "Nearshore studio for the Americas web shop: product teams working in US time zones.",
		SavePct: 32, Delivery: 100, SLAs: 4, SLAMiss: 1, Target: models.Amber, Overdue: 1,
		Issue: "attrition in the studio rose above the KPI", Escalation: "Attrition escalated to the vendor's country manager; retention plan requested."},
	{Code: "BOT-RO-01", Name: "Cluj-Napoca service desk hub", Tower: towerHelp, Vendor: 3,
		BU: "Group Technology", Location: "Cluj-Napoca, Romania", Sponsor: cio, Manager: tomas,
		Phase: "Transfer", StartAgo: 38, StartDay: 1, Steps: []int{7, 35}, TransferIn: 75, Value: 13_900_000, Currency: "EUR", Pricing: managed,
		VendorHC: 110, ClientHC: 12, Desc: "Multilingual service hub for European users, in transfer to the group's shared-services company.",
		SavePct: 27, Delivery: 100, SLAs: 3, Target: models.Amber, LateMinor: true, Overdue: 1, Readiness: []int{2, 2, 1, 1, 2, 2, 2, 1},
		Issue: "licence novations are behind the transfer plan", Escalation: "Licence novation delays escalated to procurement and the software vendors."},
	{Code: "BOT-PH-01", Name: "Manila cloud operations centre", Tower: towerCloud, Vendor: 6,
		BU: "Group Technology", Location: "Manila, Philippines", Sponsor: cio, Manager: claire,
		Phase: "Build", StartAgo: 5, StartDay: 1, Term: 40, Value: 9_600_000, Currency: "USD", Pricing: tm,
		VendorHC: 18, ClientHC: 3, Desc: "Build of a cloud operations centre that will run the group's landing zones after transfer.",
		SavePct: 25, Delivery: 100, SLAs: 2, Target: models.Green},
	{Code: "BOT-LT-01", Name: "Vilnius platform engineering centre", Tower: towerCloud, Vendor: 7,
		BU: "Group Technology", Location: "Vilnius, Lithuania", Sponsor: cdo, Manager: sofia,
		Phase: "Selection", StartAgo: -4, StartDay: 1, Term: 48, Value: 7_500_000, Currency: "EUR", Pricing: tm,
		VendorHC: 40, ClientHC: 3, Desc: "Proposed platform-engineering centre; vendor due diligence and references in progress.",
		SavePct: 28, Delivery: 100, Target: models.Green},
	{Code: "BOT-CO-02", Name: "Bogotá quality engineering centre", Tower: towerADM, Vendor: 4,
		BU: "Digital Commerce", Location: "Bogotá, Colombia", Sponsor: cdo, Manager: marek,
		Phase: "Transfer", StartAgo: 31, StartDay: 1, Steps: []int{6, 29}, TransferIn: 34, Value: 8_700_000, Currency: "USD", Pricing: tm,
		VendorHC: 45, ClientHC: 6, Desc: "Test-automation and quality-engineering centre, in transfer to the digital commerce division.",
		SavePct: 29, Delivery: 100, SLAs: 3, Target: models.Red, Risk: "high", DesignedRisk: "Post-transfer support period too short",
		Readiness: []int{2, 1, 1, 0, 2, 1, 2, 1}, Issue: "transfer readiness is 62 % with the transfer date about a month away", Escalation: "Readiness gaps and the short hypercare period escalated to the transfer board."},
}

// demoPeople own readiness items and review actions besides the managers.
var demoPeople = []string{"Ana Popescu", "Piotr Zieliński", "Juan Restrepo", "Kavya Iyer", "Maria Santos", "James O'Neill", "Lina Petrauskaitė"}
