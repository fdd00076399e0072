package web

import (
	"strings"
	"unicode/utf8"
)

// maxNameBytes bounds a label or publisher name read from a URL. Names are
// feed titles, topics, publishers and languages: far shorter.
const maxNameBytes = 4 << 10

// validName reports whether a label or publisher name from a URL can name
// anything stored: valid UTF-8 without NUL (no stored name holds either,
// and PostgreSQL refuses both with an error) and not overlong. A handler
// answers "not found" (pages) or "invalid argument" (API) for any other
// name instead of asking the store.
func validName(s string) bool {
	return len(s) <= maxNameBytes && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
