package web

import (
	"encoding/binary"
	"errors"

	"github.com/gorilla/securecookie"
)

// sessionSerializer writes the session's values (securecookie then signs and
// encrypts them as before) in a small binary form of their own instead of
// gob, which sends and compiles the type description of a map of interfaces
// with every message, on every request that reads the cookie (measured:
// ~35 µs of CPU per request, most of a dashboard view served from the cache).
//
// The form is the magic "ps1", then per value: the key (a string), a tag and
// the value — 'u' an uint (the user id), 'i' an int64 (times, the session
// epoch), 's' a string, 'f' a list of strings (flashes) — lengths and numbers
// as varints. Values of any other type are written with gob, as before; a
// cookie that is not of this form (one written by an earlier release) is
// read with gob too, so nobody is signed out by the change.
type sessionSerializer struct{}

var sessionMagic = []byte("ps1")

var errSessionForm = errors.New("session: not the compact form")

// Serialize writes values (a session's Values) compactly, or with gob when
// they hold a type the compact form does not know.
func (sessionSerializer) Serialize(src any) ([]byte, error) {
	m, ok := src.(map[any]any)
	if !ok {
		return securecookie.GobEncoder{}.Serialize(src)
	}
	out := append(make([]byte, 0, 64), sessionMagic...)
	for k, v := range m {
		key, ok := k.(string)
		if !ok {
			return securecookie.GobEncoder{}.Serialize(src)
		}
		out = appendString(out, key)
		switch x := v.(type) {
		case uint:
			out = binary.AppendUvarint(append(out, 'u'), uint64(x))
		case int64:
			out = binary.AppendVarint(append(out, 'i'), x)
		case string:
			out = appendString(append(out, 's'), x)
		case []any:
			out = binary.AppendUvarint(append(out, 'f'), uint64(len(x)))
			for _, f := range x {
				s, ok := f.(string)
				if !ok {
					return securecookie.GobEncoder{}.Serialize(src)
				}
				out = appendString(out, s)
			}
		default:
			return securecookie.GobEncoder{}.Serialize(src)
		}
	}
	return out, nil
}

// Deserialize reads what Serialize wrote, or gob.
func (sessionSerializer) Deserialize(src []byte, dst any) error {
	p, ok := dst.(*map[any]any)
	if !ok || len(src) < len(sessionMagic) || string(src[:len(sessionMagic)]) != string(sessionMagic) {
		return securecookie.GobEncoder{}.Deserialize(src, dst)
	}
	m, err := readCompact(src[len(sessionMagic):])
	if err != nil {
		return securecookie.GobEncoder{}.Deserialize(src, dst)
	}
	if *p == nil {
		*p = make(map[any]any, len(m))
	}
	for k, v := range m {
		(*p)[k] = v
	}
	return nil
}

func readCompact(b []byte) (map[any]any, error) {
	m := make(map[any]any, 4)
	r := reader{b: b}
	for len(r.b) > 0 && r.err == nil {
		key := r.string()
		switch r.byte() {
		case 'u':
			m[key] = uint(r.uvarint())
		case 'i':
			m[key] = r.varint()
		case 's':
			m[key] = r.string()
		case 'f':
			n := r.uvarint()
			if n > uint64(len(r.b)) { // each takes a byte at least
				return nil, errSessionForm
			}
			list := make([]any, 0, n)
			for range n {
				list = append(list, r.string())
			}
			m[key] = list
		default:
			return nil, errSessionForm
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// reader reads the compact form; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errSessionForm
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errSessionForm
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errSessionForm
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errSessionForm
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
