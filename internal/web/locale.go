package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// locale is one language's strings, read from locales/<tag>.json.
type locale struct {
	tag    string
	msgs   map[string]string
	layout string
	months [12]string
}

// loadLocales reads every locale file and checks that they all define the
// same keys, so that a string added in one language cannot be forgotten in
// another and fall back to its key on a live page.
func loadLocales(fsys fs.FS) (map[string]*locale, error) {
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*locale, len(files))
	var ref *locale
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		l := &locale{tag: strings.TrimSuffix(path.Base(name), ".json")}
		if err := json.Unmarshal(data, &l.msgs); err != nil {
			return nil, fmt.Errorf("locale %s: %w", name, err)
		}
		l.layout = l.msgs["date.layout"]
		if l.layout == "" {
			return nil, fmt.Errorf("locale %s: no date.layout", name)
		}
		for m := range l.months {
			key := "month." + strconv.Itoa(m+1)
			if l.months[m] = l.msgs[key]; l.months[m] == "" {
				return nil, fmt.Errorf("locale %s: no %s", name, key)
			}
		}
		if ref == nil {
			ref = l
		} else if a, b := sortedKeys(ref.msgs), sortedKeys(l.msgs); !slices.Equal(a, b) {
			return nil, fmt.Errorf("locales %s and %s define different keys", ref.tag, l.tag)
		}
		out[l.tag] = l
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no locale files")
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// T returns the string for key; a missing key shows itself, which the
// key-set check in loadLocales and the tests keep off real pages.
func (l *locale) T(key string) string {
	if s, ok := l.msgs[key]; ok {
		return s
	}
	return key
}

// N returns the string for key with {n} replaced by n, formatted per the
// locale.
func (l *locale) N(key string, n int) string {
	return strings.ReplaceAll(l.T(key), "{n}", l.Num(n))
}

// Format returns the string for key with {s} replaced by arg.
func (l *locale) Format(key, arg string) string {
	return strings.ReplaceAll(l.T(key), "{s}", arg)
}

// Num formats n with the locale's digit group separator (number.group):
// 12,345 in English, 12.345 in Indonesian.
func (l *locale) Num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(l.msgs["number.group"])
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MonthYear names a month of the archive with the locale's month_year
// layout ("November 2021").
func (l *locale) MonthYear(year, month int) string {
	return l.format(time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), l.msgs["date.month_year"])
}

// Date formats t with the locale's layout and month names. Go's layouts only
// know English month names, so the layout is cut at its "January" tokens and
// the localized name is put between the formatted pieces.
func (l *locale) Date(t time.Time) string { return l.format(t, l.layout) }

func (l *locale) format(t time.Time, layout string) string {
	parts := strings.Split(layout, "January")
	for i, p := range parts {
		parts[i] = t.Format(p)
	}
	return strings.Join(parts, l.months[t.Month()-1])
}
