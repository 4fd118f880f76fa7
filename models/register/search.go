package register

import (
	"strings"
	"unicode"

	"gorm.io/gorm"

	"portfolio/models"
)

// riskPhrases turns what a user typed into search phrases: one per
// whitespace-separated chunk, each a list of words (letters and digits only, so
// no input can inject full-text syntax; lower-cased; a plural s dropped as for
// lessons, see searchTerms). "R-ACME-07" is one phrase of three words, so a
// reference finds that risk, not every risk holding "r", "acme" and "07"
// somewhere; "vendor lock-in" is two phrases, found in any order.
func riskPhrases(text string) [][]string {
	var out [][]string
	n := 0
	for _, chunk := range strings.Fields(text) {
		var words []string
		for _, w := range strings.FieldsFunc(strings.ToLower(chunk), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if n == models.MaxSearchTerms {
				break
			}
			if t := models.SearchTerms(w); len(t) == 1 {
				words = append(words, t[0])
				n++
			}
		}
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

// riskSearch narrows a register query (risks aliased "risks") to the risks whose
// ref, title or description hold every phrase typed (riskPhrases), each word as
// a prefix of a word in the text and the words of a phrase in a row. The live
// register asks the full-text index of migration 8 (FTS4 on SQLite, the
// GIN-indexed models.RiskSearchDocPG on PostgreSQL) for the matching ids instead of
// reading every description; both databases split text into the same words.
// The past (asAt) has no index of its own text, so there each word is looked
// for in the replayed columns with LIKE, as a substring. Text without any word
// matches everything, like an empty search box.
func riskSearch(q *gorm.DB, text string, asAt bool) *gorm.DB {
	phrases := riskPhrases(text)
	if len(phrases) == 0 {
		return q
	}
	if asAt {
		for _, p := range phrases {
			for _, t := range p {
				like := "%" + models.EscapeLike(t) + "%"
				q = q.Where(`(LOWER(risks.title) LIKE ? ESCAPE '\' OR LOWER(risks.ref) LIKE ? ESCAPE '\' OR LOWER(risks.description) LIKE ? ESCAPE '\')`, like, like, like)
			}
		}
		return q
	}
	parts := make([]string, len(phrases))
	if models.IsSQLite(q) {
		for i, p := range phrases {
			parts[i] = `"` + strings.Join(p, "* ") + `*"`
		}
		return q.Where("risks.id IN (SELECT docid FROM risks_fts WHERE risks_fts MATCH ?)", strings.Join(parts, " "))
	}
	for i, p := range phrases {
		parts[i] = "'" + strings.Join(p, "':* <-> '") + "':*" // quoted: one word, whatever the parser makes of it
	}
	return q.Where("risks.id IN (SELECT id FROM risks WHERE "+models.RiskSearchDocPG+" @@ to_tsquery('simple', ?))", strings.Join(parts, " & "))
}
