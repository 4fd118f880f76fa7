package handlers

// The JSON API (/api/v1), its route table and the helpers every API handler
// shares: one way to answer JSON (with an ETag and If-None-Match), to page a
// list (an opaque cursor, a next link and a Link header), to read a JSON body
// (unknown fields and wrong types are a 422 naming the field, bad JSON a
// 400), and to merge a stale write field by field as the forms do.
// Authentication, the rate limit and problem documents are web's (web/api.go).

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/web"
)

// APIAccess is what an API route needs of its token.
type APIAccess int

// API route accesses.
const (
	APIPublic APIAccess = iota // no token (the OpenAPI document)
	APIRead                    // any live token
	APIWrite                   // a write token of an owner who may write
)

// APIRoute is one endpoint of the JSON API, its path under /api/v1.
type APIRoute struct {
	Method  string
	Path    string
	Name    string
	Access  APIAccess
	Handler echo.HandlerFunc
}

// APIRoutes is every route of the JSON API, in one list (openapi.json describes each).
func (a *App) APIRoutes() []APIRoute {
	g, p, pa := http.MethodGet, http.MethodPost, http.MethodPatch
	return []APIRoute{
		{g, "/openapi.json", "api.openapi", APIPublic, a.apiOpenAPI},
		{g, "/engagements", "api.engagements.index", APIRead, a.apiEngagements},
		{g, "/engagements/:id", "api.engagements.show", APIRead, a.apiEngagement},
		{g, "/vendors", "api.vendors.index", APIRead, a.apiVendors},
		{g, "/vendors/:id", "api.vendors.show", APIRead, a.apiVendor},
		{g, "/risks", "api.risks.index", APIRead, a.apiRisks},
		{p, "/risks", "api.risks.create", APIWrite, a.apiRiskCreate},
		{g, "/risks/:id", "api.risks.show", APIRead, a.apiRisk},
		{pa, "/risks/:id", "api.risks.update", APIWrite, a.apiRiskUpdate},
		{g, "/risks/:id/history", "api.risks.history", APIRead, a.apiRiskHistory},
		{g, "/cost-records", "api.costs.index", APIRead, a.apiCosts},
		{p, "/cost-records", "api.costs.create", APIWrite, a.apiCostCreate},
		{g, "/cost-records/:id", "api.costs.show", APIRead, a.apiCost},
		{pa, "/cost-records/:id", "api.costs.update", APIWrite, a.apiCostUpdate},
		{g, "/savings", "api.savings", APIRead, a.apiSavingsFor},
		{g, "/slas", "api.slas.index", APIRead, a.apiSLAs},
		{g, "/sla-results", "api.sla_results.index", APIRead, a.apiSLAResults},
		{p, "/sla-results", "api.sla_results.create", APIWrite, a.apiSLAResultCreate},
		{g, "/sla-results/:id", "api.sla_results.show", APIRead, a.apiSLAResult},
		{pa, "/sla-results/:id", "api.sla_results.update", APIWrite, a.apiSLAResultUpdate},
		{g, "/milestones", "api.milestones.index", APIRead, a.apiMilestones},
		{p, "/milestones", "api.milestones.create", APIWrite, a.apiMilestoneCreate},
		{g, "/milestones/:id", "api.milestones.show", APIRead, a.apiMilestone},
		{pa, "/milestones/:id", "api.milestones.update", APIWrite, a.apiMilestoneUpdate},
		{g, "/readiness-items", "api.readiness.index", APIRead, a.apiReadinessItems},
		{g, "/readiness-items/:id", "api.readiness.show", APIRead, a.apiReadinessItem},
		{pa, "/readiness-items/:id", "api.readiness.update", APIWrite, a.apiReadinessUpdate},
		{g, "/lessons", "api.lessons.index", APIRead, a.apiLessons},
		{g, "/lessons/:id", "api.lessons.show", APIRead, a.apiLesson},
		{g, "/packs", "api.packs.index", APIRead, a.apiPacks},
		{g, "/packs/:quarter", "api.packs.show", APIRead, a.apiPack},
	}
}

// mountAPI mounts the API's routes on the server's API group.
func (a *App) mountAPI() {
	for _, r := range a.APIRoutes() {
		var mw []echo.MiddlewareFunc
		if r.Access >= APIRead {
			mw = append(mw, a.APIAuth)
		}
		if r.Access == APIWrite {
			mw = append(mw, web.APIWrite)
		}
		a.API.Add(r.Method, r.Path, r.Handler, mw...).Name = r.Name
	}
}

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPIDocument is the API's OpenAPI 3.1 description, as served.
func OpenAPIDocument() []byte { return openAPIDoc }

// apiOpenAPI serves the API's description. Route: api.openapi.
func (a *App) apiOpenAPI(c echo.Context) error {
	return apiBlob(c, http.StatusOK, openAPIDoc, "")
}

// apiJSON answers v as JSON with an ETag (etag, or else one from the body's
// bytes), and 304 when the client's If-None-Match names it.
func apiJSON(c echo.Context, status int, v any, etag string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return apiBlob(c, status, b, etag)
}

func apiBlob(c echo.Context, status int, b []byte, etag string) error {
	sum := sha256.Sum256(b)
	if etag == "" {
		etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	} else {
		// A record's tag (version and field prints, what If-Match reads) ends
		// with a hash of the body, so that what is derived or joined (an
		// owner's name, a band) changes it too. It is the uncompressed body's:
		// Compress suffixes the tag of a gzipped answer with -gzip.
		etag = strings.TrimSuffix(etag, `"`) + "." + hex.EncodeToString(sum[:8]) + `"`
	}
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set(echo.HeaderCacheControl, "private, no-cache")
	if status == http.StatusOK && c.Request().Method == http.MethodGet && etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, b)
}

// etagMatches reports whether an If-None-Match header names etag (weakly: W/
// prefixes do not count, nor the -gzip suffix Compress adds to the tag of a
// gzipped answer: both are the same body) or is "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || strings.Replace(t, `-gzip"`, `"`, 1) == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// apiList is a page of a list: its rows and, when there are more, the
// address of the next page (also sent as a Link header).
type apiList[T any] struct {
	Data []T     `json:"data"`
	Next *string `json:"next,omitempty"`
}

// apiPage reads a list's limit (default 50, at most 200) and the id its cursor
// continues after (0: from the start). A cursor that is not one of ours is 400.
func apiPage(c echo.Context) (limit int, after uint, err error) {
	limit = 50
	if s := c.QueryParam("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > 200 {
			return 0, 0, web.Invalid("The query is not valid.", map[string]string{"limit": "A whole number from 1 to 200."})
		}
		limit = n
	}
	if s := c.QueryParam("cursor"); s != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(s)
		rest, ours := strings.CutPrefix(string(raw), "after:")
		ids, sum, _ := strings.Cut(rest, ":")
		id, perr := strconv.ParseUint(ids, 10, 32)
		if derr != nil || !ours || perr != nil || id == 0 {
			return 0, 0, web.NewProblem(http.StatusBadRequest, "The cursor is not one this API gave: start again without it.")
		}
		if sum != listQueryPrint(c) {
			return 0, 0, web.NewProblem(http.StatusBadRequest, "The cursor was given for other filters or another order: start again without it.")
		}
		after = uint(id)
	}
	return limit, after, nil
}

// listQueryPrint is a fingerprint of a list's query but for its cursor and
// limit (its filters and order): a cursor carries it, so that a cursor is
// used only with the filters and order it was given for.
func listQueryPrint(c echo.Context) string {
	q := c.QueryParams()
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "cursor" && k != "limit" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := fnv.New64a()
	for _, k := range keys {
		for _, v := range q[k] {
			_, _ = fmt.Fprintf(h, "%q=%q&", k, v)
		}
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// writeList answers a page of rows of which the caller read limit+1: the
// extra one says there is a next page, continuing after the last row kept.
func writeList[T any](c echo.Context, rows []T, limit int, idOf func(T) uint) error {
	out := apiList[T]{Data: rows}
	if out.Data == nil {
		out.Data = []T{}
	}
	if len(rows) > limit {
		out.Data = rows[:limit]
		q := c.QueryParams()
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte("after:"+strconv.FormatUint(uint64(idOf(rows[limit-1])), 10)+":"+listQueryPrint(c))))
		next.Set("limit", strconv.Itoa(limit))
		link := c.Request().URL.Path + "?" + next.Encode()
		out.Next = &link
		c.Response().Header().Set("Link", "<"+link+`>; rel="next"`)
	}
	return apiJSON(c, http.StatusOK, out, "")
}

// apiBodyLimit bounds a JSON body (the server's own limit is larger).
// 256 KB: any risk the form accepts fits with every character escaped as
// \uXXXX.
const apiBodyLimit = 256 << 10

// decodeJSON reads the request's JSON object into v: 415 unless it says it
// is JSON, 400 when it is not JSON (or not one object), 422 naming the field
// for an unknown field or a value of the wrong type.
func decodeJSON(c echo.Context, v any) error {
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if ct != echo.MIMEApplicationJSON {
		return web.NewProblem(http.StatusUnsupportedMediaType, "Send the body as application/json.")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, apiBodyLimit+1))
	if err != nil {
		return err
	}
	if len(body) > apiBodyLimit {
		return web.NewProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than the %d KB the API accepts.", apiBodyLimit>>10))
	}
	if err := checkJSONObject(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return web.Invalid("A field has a value of the wrong type.", map[string]string{typeErr.Field: "Expected " + jsonKind(typeErr.Type) + ", got " + typeErr.Value + "."})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return web.Invalid("The body has a field this API does not know.", map[string]string{name: "Unknown field."})
	}
	return web.NewProblem(http.StatusBadRequest, "The body is not one JSON object: "+err.Error()+".")
}

// checkJSONObject looks at a body before it is decoded into a struct, for
// what encoding/json lets through: a top-level null or a field sent as null
// (no field of the API's inputs is nullable: leave it out to keep it, send ""
// to clear it) and a field sent twice are 422 naming the field; a NUL in a
// decoded string is 422 (PostgreSQL stores no NUL in text); anything after
// the object is 400. Other malformed JSON is left to the decoder's 400.
func checkJSONObject(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil // the decoder says what is wrong
	}
	if tok == nil {
		return web.NewProblem(http.StatusUnprocessableEntity, "The body is null: send a JSON object of the fields to set.")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := kt.(string)
		var val any
		if err := dec.Decode(&val); err != nil {
			return nil
		}
		switch {
		case seen[key]:
			return web.Invalid("A field is sent twice.", map[string]string{key: "Sent more than once: send it once."})
		case val == nil:
			return web.Invalid("A field is sent as null.", map[string]string{key: "null is not a value here: leave the field out to keep it as it is, or send \"\" to clear it."})
		case holdsNUL(val):
			return web.Invalid("A field holds a NUL character.", map[string]string{key: "Holds a NUL character (\\u0000), which is not text: remove it."})
		}
		seen[key] = true
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return web.NewProblem(http.StatusBadRequest, "The body is not one JSON object: something follows it.")
	}
	return nil
}

// holdsNUL reports a NUL character in a decoded JSON value's strings.
func holdsNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, 0)
	case []any:
		for _, e := range x {
			if holdsNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, 0) || holdsNUL(e) {
				return true
			}
		}
	}
	return false
}

// jsonKind names a Go type as JSON calls it.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Int32, reflect.Uint32:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another type"
}

// The merge of a stale write. A writable record's ETag is its version and a
// fingerprint of each of its fields as the record's form holds them (V, a
// struct of strings tagged `form:"name"`): so a write sent with an older ETag
// can tell, as a form sent with what it showed can (web.MergeStale), the
// fields changed meanwhile from those left alone. A field the client sends
// with the value it had is left as stored now; a field it changes takes the
// client's value unless someone else changed it meanwhile to something else:
// only that is a clash (412).

// formETag is the entity tag of record id at version with values v:
// "id-version.prints", the prints each field's 64-bit FNV-1a.
func formETag[V any](id uint, version int, v V) string {
	var buf []byte
	rv := reflect.ValueOf(v)
	for i := 0; i < rv.NumField(); i++ {
		if rv.Type().Field(i).Tag.Get("form") == "" {
			continue
		}
		buf = binary.BigEndian.AppendUint64(buf, fieldPrint(rv.Field(i).String()))
	}
	return `"` + strconv.FormatUint(uint64(id), 10) + "-" + strconv.Itoa(version) + "." + base64.RawURLEncoding.EncodeToString(buf) + `"`
}

// fieldPrint is a field's fingerprint, of its value as a person reads it.
func fieldPrint(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))))
	return h.Sum64()
}

// parseFormETag reads formETag's record id, version and fingerprints (ok
// false when it is not one). The body's hash apiBlob appends and the -gzip
// of a compressed answer are ignored.
func parseFormETag(tag string) (id uint, version int, prints []uint64, ok bool) {
	tag = strings.TrimSuffix(strings.Trim(strings.TrimSpace(tag), `"`), "-gzip")
	head, fp, found := strings.Cut(tag, ".")
	fp, _, _ = strings.Cut(fp, ".") // the body's hash (apiBlob) is not the merge's business
	ids, vs, dash := strings.Cut(head, "-")
	n, err := strconv.Atoi(vs)
	rid, ierr := strconv.ParseUint(ids, 10, 64)
	raw, derr := base64.RawURLEncoding.DecodeString(fp)
	if !found || !dash || err != nil || ierr != nil || derr != nil || len(raw)%8 != 0 {
		return 0, 0, nil, false
	}
	for i := 0; i < len(raw); i += 8 {
		prints = append(prints, binary.BigEndian.Uint64(raw[i:]))
	}
	return uint(rid), n, prints, true
}

// mergeSent applies the fields a client sent (form name → value) to the
// record of the path's :id as stored now, against the version its If-Match
// names. It returns the values to save and the version to save them at, or a
// 412 problem listing the fields that clash (with the current ETag), or 428
// when If-Match is missing and 412 when it is not a tag this record had: a
// weak one (W/), another record's, or one at the current version whose
// fields are not the record's. If-Match: * matches the record as it is.
func mergeSent[V any](c echo.Context, stored V, version int, sent map[string]string) (V, error) {
	ifMatch := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	id, _ := idParam(c, "id")
	current := formETag(id, version, stored)
	if ifMatch == "" {
		return stored, web.NewProblem(http.StatusPreconditionRequired, "Send If-Match with the ETag of the record as you read it.")
	}
	refuse := func(msg string) (V, error) {
		c.Response().Header().Set("ETag", current)
		p := web.NewProblem(http.StatusPreconditionFailed, msg)
		p.ETag = current
		return stored, p
	}
	if strings.HasPrefix(ifMatch, "W/") {
		return refuse("If-Match needs the record's strong ETag as read, not a weak one (W/).")
	}
	var base int
	var prints []uint64
	if ifMatch == "*" {
		base = version
	} else {
		tid, b, p, ok := parseFormETag(ifMatch)
		_, _, now, _ := parseFormETag(current)
		if !ok || tid != id || b > version || (b == version && !slices.Equal(p, now)) {
			return refuse("If-Match is not an ETag this record had: read it again.")
		}
		base, prints = b, p
	}
	out := reflect.New(reflect.TypeOf(stored)).Elem()
	out.Set(reflect.ValueOf(stored))
	n := 0
	var clashes []web.ProblemField
	for i := 0; i < out.NumField(); i++ {
		name := out.Type().Field(i).Tag.Get("form")
		if name == "" {
			continue
		}
		idx := n
		n++
		yours, was := sent[name]
		if !was {
			continue
		}
		now := out.Field(i).String()
		switch {
		case base == version: // not stale: every sent field applies
			out.Field(i).SetString(yours)
		case idx >= len(prints):
			// Nothing known of what the client read: any difference is a clash.
			if fieldPrint(yours) != fieldPrint(now) {
				clashes = append(clashes, web.ProblemField{Field: name, Detail: "Changed since you read it; it is now " + strconv.Quote(now) + "."})
			}
		case fieldPrint(yours) == prints[idx]:
			// Sent as it was read: the stored value stands.
		case fieldPrint(now) != prints[idx] && fieldPrint(yours) != fieldPrint(now):
			clashes = append(clashes, web.ProblemField{Field: name, Detail: "Changed since you read it; it is now " + strconv.Quote(now) + "."})
		default:
			out.Field(i).SetString(yours)
		}
	}
	if len(clashes) > 0 {
		p := web.NewProblem(http.StatusPreconditionFailed, "Someone changed fields you are changing since you read the record: read it again and resend.")
		p.Type, p.Errors, p.ETag = web.ProblemConflict, clashes, current
		c.Response().Header().Set("ETag", current)
		return stored, p
	}
	return out.Interface().(V), nil
}

// sentFields is what a request body (a struct of pointer fields tagged with
// their JSON names, the form's names) sent, as form text.
func sentFields(in any) map[string]string {
	out := map[string]string{}
	rv := reflect.ValueOf(in)
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		if f.Kind() != reflect.Pointer || f.IsNil() || name == "" {
			continue
		}
		out[name] = fmt.Sprint(f.Elem().Interface())
	}
	return out
}

// applySent sets the fields sent on form values v (a new record's).
func applySent[V any](v V, sent map[string]string) V {
	out := reflect.New(reflect.TypeOf(v)).Elem()
	out.Set(reflect.ValueOf(v))
	for i := 0; i < out.NumField(); i++ {
		if s, ok := sent[out.Type().Field(i).Tag.Get("form")]; ok {
			out.Field(i).SetString(s)
		}
	}
	return out.Interface().(V)
}

// invalidFields is a 422 for a write the form's checks refused.
func invalidFields(errs map[string]string) error {
	return web.Invalid("The record breaks the register's rules; nothing was saved.", errs)
}
