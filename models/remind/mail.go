package remind

// The digest as an email (plain text and HTML, every item linking to the
// page that resolves it, a signed one-click unsubscribe link), and the SMTP
// mailer that sends it (github.com/wneessen/go-mail).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"portfolio/models"
)

// Figure is one of the dashboard's headline figures, as the monthly
// portfolio digest prints it.
type Figure struct {
	Label, Value, Note, Link string
	Provisional              bool // converted at a rate carried from another month
}

// Headlines is the monthly portfolio digest: the dashboard's figures on the
// first of the month, and what changed in the month that ended.
type Headlines struct {
	Month   string // "November 2026"
	Figures []Figure
	Changes []string // "4 risks raised", …
}

// headlines reads the monthly portfolio digest of day today (the first of a month).
func (s *Sender) headlines(ctx context.Context, settings models.Settings, today models.Date) (*Headlines, error) {
	from, to := models.Date{Time: today.MonthStart().AddDate(0, -1, 0)}, today.MonthStart()
	h := &Headlines{Month: from.Format("January 2006")}
	if s.Figures != nil {
		var err error
		if h.Figures, err = s.Figures(ctx, settings, today); err != nil {
			return nil, err
		}
	}
	db := s.DB.WithContext(ctx)
	for _, c := range []struct {
		table, col, one, many string
	}{
		{"risks", "raised_on", "1 risk raised", "%d risks raised"},
		{"risks", "closed_on", "1 risk closed", "%d risks closed"},
		{"milestones", "actual", "1 milestone completed", "%d milestones completed"},
	} {
		var n int64
		if err := db.Table(c.table).Where(c.col+" >= ? AND "+c.col+" < ?", from, to).Count(&n).Error; err != nil {
			return nil, err
		}
		switch n {
		case 0:
			h.Changes = append(h.Changes, fmt.Sprintf(c.many, 0))
		case 1:
			h.Changes = append(h.Changes, c.one)
		default:
			h.Changes = append(h.Changes, fmt.Sprintf(c.many, n))
		}
	}
	return h, nil
}

// kindNames head each item in an email.
var kindNames = map[string]string{
	KindRiskReview: "Risk review", KindAcceptance: "Risk acceptance", KindMilestone: "Milestone",
	KindCosts: "Costs not recorded", KindSLA: "Service-level results not recorded", KindTransfer: "BOT transfer at risk",
	KindRates: "Exchange rates", KindPack: "Review pack", KindCommentary: "Quarterly commentary", KindContract: "Contract end", KindNotice: "Notice deadline", KindSuggestion: "Partnership survey", KindObligation: "Obligation", KindOption: "Renewal option",
}

// KindName is an item's kind in words.
func KindName(kind string) string { return kindNames[kind] }

// letter is what the email templates read.
type letter struct {
	Name, Day   string
	Overdue     []letterItem
	Soon        []letterItem
	Portfolio   *Headlines
	Base        string
	Account     string
	Unsubscribe string
	Weekly      bool
}

type letterItem struct {
	Kind, Title, What, URL string
}

// write is digest d's email to user u.
func (s *Sender) write(u models.User, d Digest, c Content) (Mail, error) {
	base := strings.TrimRight(s.BaseURL, "/")
	l := letter{Name: u.Name, Day: d.Day.Human(), Portfolio: c.Portfolio, Base: base, Account: base + "/account#email",
		Unsubscribe: base + "/unsubscribe/" + UnsubscribeToken(s.Keys, u.ID)}
	for _, it := range c.Items {
		li := letterItem{Kind: KindName(it.Kind), Title: it.Title, What: it.What, URL: base + it.Link}
		if it.Overdue {
			l.Overdue = append(l.Overdue, li)
		} else {
			l.Soon = append(l.Soon, li)
		}
	}
	if c.Portfolio != nil {
		for i := range c.Portfolio.Figures {
			c.Portfolio.Figures[i].Link = base + c.Portfolio.Figures[i].Link
		}
	}
	var subject string
	switch n := len(c.Items); {
	case n == 0:
		subject = "Portfolio: the portfolio in " + c.Portfolio.Month
	case len(l.Overdue) > 0:
		subject = fmt.Sprintf("Portfolio: %s, %d overdue", plural(n, "reminder"), len(l.Overdue))
	default:
		subject = "Portfolio: " + plural(n, "reminder")
	}
	var text, html bytes.Buffer
	if err := textLetter.Execute(&text, l); err != nil {
		return Mail{}, err
	}
	if err := htmlLetter.Execute(&html, l); err != nil {
		return Mail{}, err
	}
	host := "portfolio"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return Mail{To: u.Email, Name: u.Name, Subject: subject, Text: text.String(), HTML: html.String(), Unsubscribe: l.Unsubscribe,
		MessageID: fmt.Sprintf("digest-%d.%d@%s", d.ID, d.Day.Unix(), host), Date: s.now(), ReminderCount: len(c.Items)}, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

var textLetter = texttemplate.Must(texttemplate.New("text").Parse(`Hello {{.Name}},
{{if .Overdue}}
Overdue
{{range .Overdue}}
- {{.Kind}}: {{.Title}}
  {{.What}}
  {{.URL}}
{{end}}{{end}}{{if .Soon}}
Coming up
{{range .Soon}}
- {{.Kind}}: {{.Title}}
  {{.What}}
  {{.URL}}
{{end}}{{end}}{{with .Portfolio}}
The portfolio on the first of the month
{{range .Figures}}
- {{.Label}}: {{.Value}}{{if .Provisional}} (provisional: a rate carried from another month){{end}}{{if .Note}}
  {{.Note}}{{end}}
  {{.Link}}
{{end}}
In {{.Month}}: {{range $i, $c := .Changes}}{{if $i}}, {{end}}{{$c}}{{end}}.
{{end}}
--
Portfolio, {{.Day}}. You get this email because of your choice on your account page:
{{.Account}}
To stop these emails: {{.Unsubscribe}}
`))

var htmlLetter = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Portfolio reminders</title></head>
<body style="font-family: system-ui, sans-serif; color: #1a1a1a; line-height: 1.45; max-width: 40rem">
<p>Hello {{.Name}},</p>
{{if .Overdue}}<h2 style="font-size: 1.1rem; color: #9b1c1c">Overdue</h2>
<ul>{{range .Overdue}}<li style="margin-bottom: 6px"><a href="{{.URL}}">{{.Kind}}: {{.Title}}</a><br>{{.What}}</li>{{end}}</ul>{{end}}
{{if .Soon}}<h2 style="font-size: 1.1rem">Coming up</h2>
<ul>{{range .Soon}}<li style="margin-bottom: 6px"><a href="{{.URL}}">{{.Kind}}: {{.Title}}</a><br>{{.What}}</li>{{end}}</ul>{{end}}
{{with .Portfolio}}<h2 style="font-size: 1.1rem">The portfolio on the first of the month</h2>
<table style="border-collapse: collapse">{{range .Figures}}<tr><th scope="row" style="text-align: left; padding: 2px 12px 2px 0; font-weight: normal"><a href="{{.Link}}">{{.Label}}</a></th>
<td style="text-align: right; font-weight: bold">{{.Value}}{{if .Provisional}} <span title="converted at a rate carried from another month">(provisional)</span>{{end}}</td><td style="padding-left: 12px; color: #555">{{.Note}}</td></tr>{{end}}</table>
<p>In {{.Month}}: {{range $i, $c := .Changes}}{{if $i}}, {{end}}{{$c}}{{end}}.</p>{{end}}
<hr>
<p style="color: #555; font-size: 0.9rem">Portfolio, {{.Day}}. You get this email because of your choice on <a href="{{.Account}}">your account page</a>.
<a href="{{.Unsubscribe}}">Stop these emails</a>.</p>
</body></html>
`))

// SMTP is an SMTP server to send through.
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string
	TLS      string // none, starttls or tls
	Timeout  time.Duration
}

// The TLS settings of SMTP.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// Send sends m through the server: one connection a message, since a
// digest goes out at most once a day to each person.
func (s SMTP) Send(ctx context.Context, m Mail) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("the sender address %q: %w", s.From, err)
	}
	if err := msg.AddToFormat(m.Name, m.To); err != nil {
		return fmt.Errorf("the address %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
	msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout)}
	switch s.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	opts = append(opts, gomail.WithPort(s.Port))
	if s.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.User), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return err
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	err = c.SendWithSMTPClient(conn, msg)
	_ = c.CloseWithSMTPClient(conn) // QUIT: its failure after the message went changes nothing
	var refused *gomail.SendError
	switch {
	case msg.IsDelivered():
		// The server took it: a failure after that (a reset, a dropped
		// connection) must not send it again.
		return nil
	case errors.As(err, &refused) && refused.ErrorCode() >= 500:
		return &PermanentError{err}
	}
	return err
}

// ErrUnreachable is a mail server that could not be reached or signed in
// to: the round stops, since every digest after would wait out the same.
var ErrUnreachable = errors.New("the mail server cannot be reached")

// PermanentError is a refusal the mail server says is final (a 5xx reply,
// such as an address it does not know): the digest is not tried again.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "refused for good: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }
