package components

import (
	"crypto/rand"
	"encoding/base64"
)

// onceToken is 128 random bits, URL-safe.
func onceToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
