// Package static embeds the stylesheets, scripts and images the app serves,
// under content-hashed URLs so browsers may cache them for ever.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed *.css *.js *.svg
var files embed.FS

type asset struct {
	name  string
	body  []byte
	ctype string
}

var (
	byHashed = map[string]asset{}  // "app.3f2a9c1b.css" → asset
	hashed   = map[string]string{} // "app.css" → "/static/app.3f2a9c1b.css"
)

func init() {
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		b, _ := files.ReadFile(e.Name())
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		h := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		byHashed[h] = asset{e.Name(), b, mime.TypeByExtension(ext)}
		hashed[e.Name()] = "/static/" + h
	}
}

// Path gives the content-hashed URL of an embedded file; it panics on an unknown
// name so that a typo fails the first test that renders the page.
func Path(name string) string {
	p, ok := hashed[name]
	if !ok {
		panic("static: no file " + name)
	}
	return p
}

// Handler serves /static/<hashed name> with a year-long immutable cache; names
// that are not current hashes are not found, so a stale URL never gets new bytes.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byHashed[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.ctype)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(a.body)
	})
}
