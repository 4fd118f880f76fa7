package models

import (
	"strings"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LessonSearchDocPG is the PostgreSQL text-search document of a lesson: the
// title weighs most (A), the lesson and tags next (B), the story least (C).
// The GIN index of migration 5 is built on exactly this expression, so queries
// repeat it (a test checks the migration's file holds it).
const LessonSearchDocPG = `setweight(to_tsvector('simple', title), 'A') || ` +
	`setweight(to_tsvector('simple', lesson || ' ' || replace(tags, ',', ' ')), 'B') || ` +
	`setweight(to_tsvector('simple', what_happened), 'C')`

// MaxSearchTerms bounds the words of one search, so a pasted essay cannot
// become a query with hundreds of terms.
const MaxSearchTerms = 8

// SearchTerms turns what a user typed into search words: letters and digits
// only (so no input can inject full-text query syntax), lower-cased, each used
// as a prefix. A final plural "s" or "ies" is dropped so that "contracts" finds
// "contract" and "companies" finds "company"; neither database stems, so the
// two agree on what matches.
func SearchTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		switch n := len(w); {
		case n > 4 && strings.HasSuffix(w, "ies"):
			w = w[:n-3]
		case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
			w = w[:n-1]
		}
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		if out = append(out, w); len(out) == MaxSearchTerms {
			break
		}
	}
	return out
}

// lessonSearch narrows a lessons query to the lessons whose title, story,
// lesson or tags contain every term (as a word prefix) and returns the ORDER BY
// that ranks them: best match first, then newest. It picks the dialect:
//   - SQLite: the FTS4 table lessons_fts. FTS4 has no bm25, so the rank is
//     computed in SQL as the number of term occurrences (from offsets(), four
//     numbers per hit) plus a boost of 10 when every term is in the title.
//   - PostgreSQL: the GIN-indexed document LessonSearchDocPG with ts_rank,
//     which weighs title over lesson and tags over the story.
func lessonSearch(q *gorm.DB, terms []string) (*gorm.DB, any) {
	if IsSQLite(q) {
		all := make([]string, len(terms))
		title := make([]string, len(terms))
		for i, t := range terms {
			all[i] = t + "*"
			title[i] = "title:" + t + "*"
		}
		q = q.Joins(`JOIN (SELECT docid,
			(length(offsets(lessons_fts)) - length(replace(offsets(lessons_fts), ' ', '')) + 1) / 4
			+ 10 * (docid IN (SELECT docid FROM lessons_fts WHERE lessons_fts MATCH ?)) AS score
			FROM lessons_fts WHERE lessons_fts MATCH ?) fts ON fts.docid = lessons.id`,
			strings.Join(title, " "), strings.Join(all, " "))
		return q, "fts.score DESC, lessons.learned_on DESC, lessons.id DESC"
	}
	tsq := make([]string, len(terms))
	for i, t := range terms {
		tsq[i] = "'" + t + "':*" // quoted: one term, whatever the parser makes of it
	}
	query := strings.Join(tsq, " & ")
	q = q.Where("("+LessonSearchDocPG+") @@ to_tsquery('simple', ?)", query)
	return q, orderByExpr("ts_rank("+LessonSearchDocPG+", to_tsquery('simple', ?)) DESC, lessons.learned_on DESC, lessons.id DESC", query)
}

// orderByExpr is an ORDER BY with bound values. GORM's Order silently ignores a
// gorm.Expr; it takes an expression only wrapped in a clause.OrderBy.
func orderByExpr(sql string, vars ...any) clause.OrderBy {
	return clause.OrderBy{Expression: clause.Expr{SQL: sql, Vars: vars, WithoutParentheses: true}}
}

// RiskSearchDocPG is the PostgreSQL text-search document of a risk; the GIN
// index of migration 8 is built on exactly this expression, so queries repeat
// it (a test checks the migration's file holds it). Punctuation becomes space
// first: the default parser would otherwise keep "R-ACME-07" as a hyphenated
// word and "-07" as a signed number, where SQLite's tokenizer (and riskPhrases)
// see the words r, acme, 07 in a row.
const RiskSearchDocPG = `to_tsvector('simple', regexp_replace(ref || ' ' || title || ' ' || description, '[[:punct:][:space:]]+', ' ', 'g'))`
