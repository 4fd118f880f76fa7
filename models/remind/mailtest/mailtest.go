// Package mailtest is a real SMTP server for tests (github.com/emersion/go-smtp),
// listening on 127.0.0.1: the app's mailer talks SMTP to it as it would to a
// company's relay, and the tests read what arrived.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one email the server received.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Raw    []byte // the whole message as sent
}

// Server is the running server.
type Server struct {
	Host   string
	Port   int
	smtp   *smtp.Server
	mu     sync.Mutex
	got    []Message
	fail   int             // refuse this many messages (a relay that is failing)
	down   bool            // drop every connection
	refuse map[string]bool // addresses refused for good (550)
}

// Start runs a server on a free port of 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, ln)
}

func serve(t testing.TB, ln net.Listener) *Server {
	s := &Server{}
	a := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", a.Port
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.smtp.Domain = "mail.test"
	s.smtp.ReadTimeout, s.smtp.WriteTimeout = 10*time.Second, 10*time.Second
	s.smtp.MaxMessageBytes = 1 << 20
	go func() { _ = s.smtp.Serve(downable{ln, s}) }()
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Close stops the server.
func (s *Server) Close() error { return s.smtp.Close() }

// Down makes the server drop every connection as it comes, as a relay that
// is down does, until Up. (Closing the port instead would let a test
// running alongside take it.)
func (s *Server) Down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
}

// Up takes connections again.
func (s *Server) Up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
}

// downable drops connections while its server is down.
type downable struct {
	net.Listener
	s *Server
}

func (l downable) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.s.mu.Lock()
		down := l.s.down
		l.s.mu.Unlock()
		if !down {
			return c, nil
		}
		_ = c.Close()
	}
}

// FailNext makes the server refuse the next n messages (450, try later).
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// Refuse makes the server refuse an address for good (550 no such user).
func (s *Server) Refuse(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		s.refuse = map[string]bool{}
	}
	s.refuse[addr] = true
}

// Messages are the messages received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// To are the messages received for one address.
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refused := x.s.refuse[to]
	x.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.fail > 0 {
		x.s.fail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	x.s.got = append(x.s.got, Message{From: x.from, To: append([]string(nil), x.to...), Header: m.Header, Raw: raw})
	return nil
}

// Text is the message's plain-text part, decoded ("" if it has none).
func (m Message) Text() string { return m.part("text/plain") }

// HTML is the message's HTML part, decoded ("" if it has none).
func (m Message) HTML() string { return m.part("text/html") }

// part finds the decoded part of a media type, in a single-part message or
// one level of multipart/alternative.
func (m Message) part(want string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return ""
	}
	media, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if !strings.HasPrefix(media, "multipart/") {
		if media == want {
			return decode(msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		}
		return ""
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err != nil {
			return ""
		}
		if t, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); t == want {
			return decode(p.Header.Get("Content-Transfer-Encoding"), p)
		}
	}
}

func decode(encoding string, r io.Reader) string {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, _ := io.ReadAll(r)
	return string(b)
}
