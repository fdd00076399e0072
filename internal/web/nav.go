package web

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/kabarnews/kabar/internal/model"
)

// canonicalSelf is the value of settingCanonical that points a post's
// rel=canonical at this site; anything else means the original article.
const canonicalSelf = "self"

// maxMenuLabels bounds the owner's menu: more would not fit a phone.
const maxMenuLabels = 8

// menu builds the header's menu: the site's pages, then the owner's labels.
func (s *Server) menu(v *view, set settings) []navLink {
	items := []struct{ key, path string }{
		{"nav.home", "/"}, {"nav.stories", "/stories"}, {"nav.labels", "/labels"},
		{"nav.publishers", "/publishers"}, {"nav.archive", "/archive"}, {"nav.search", "/search"},
	}
	var out []navLink
	for _, it := range items {
		out = append(out, navLink{Name: v.T(it.key), URL: v.Link(it.path), Current: v.path == it.path})
	}
	for _, name := range set.MenuLabels {
		p := labelPath(name)
		out = append(out, navLink{Name: v.labels.name(model.Label{Name: name}), URL: v.Link(p), Current: v.path == p})
	}
	return out
}

// parseLines reads a setting of one value per line, without blanks and
// repeats.
func parseLines(raw string) []string {
	var out []string
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out
}

// parseLabelNames reads the owner's label names: lines "stored = shown".
// The last "=" splits, so a stored name may itself hold one.
func parseLabelNames(raw string) map[string]string {
	out := map[string]string{}
	for _, line := range parseLines(raw) {
		i := strings.LastIndex(line, "=")
		if i < 0 {
			continue
		}
		from, to := strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		if from != "" && to != "" {
			out[from] = to
		}
	}
	return out
}

// labelNamer turns stored label names into the names readers see.
type labelNamer struct {
	names map[string]string // the owner's names
	lang  string            // the page's language, for language names
}

// name is what a reader sees for a label: the owner's name for it, else a
// clean version of the stored one.
func (n labelNamer) name(l model.Label) string {
	if to, ok := n.names[l.Name]; ok {
		return to
	}
	switch l.Kind {
	case model.LabelLanguage:
		return languageName(l.Name, n.lang)
	case model.LabelFeed, "":
		return cleanFeedTitle(l.Name)
	}
	return l.Name
}

// LabelName is the name readers see for a label.
func (v *view) LabelName(l model.Label) string { return v.labels.name(l) }

// googleNewsSuffixes end the titles of Google News feeds in the languages
// it serves kabar's readers.
var googleNewsSuffixes = []string{" - Google News", " - Google Berita", " – Google News", " – Google Berita"}

// cleanFeedTitle turns a Google News feed's title (`"kota" - Google
// Berita`) into its subject (kota); other titles are kept.
func cleanFeedTitle(title string) string {
	t := title
	for _, suf := range googleNewsSuffixes {
		if strings.HasSuffix(t, suf) {
			t = strings.TrimSpace(strings.TrimSuffix(t, suf))
			break
		}
	}
	if t == title {
		return title
	}
	if len(t) >= 2 && strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	if t == "" {
		return title
	}
	return t
}

// languageName names a language code ("id") in the page's language
// ("Indonesian", "Indonesia"), capitalised as a label; codes it does not
// know stay as they are.
func languageName(code, pageLang string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	name := display.Tags(language.Make(pageLang)).Name(tag)
	if name == "" {
		return code
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}

// publisherKey is what publisher names that name one publisher share:
// "The Guardian", "guardian" and "Guardian." are one.
func publisherKey(name string) string {
	k := strings.ToLower(strings.TrimSpace(name))
	k = strings.TrimPrefix(k, "the ")
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return r
		}
		return -1
	}, k)
}

// publisherGroup is one publisher as readers see it: every stored name
// that publisherKey joins, the most used first.
type publisherGroup struct {
	Name  string   // the most used name
	Names []string // every stored name
	Count int
}

// publisherGroups joins the publisher labels that name one publisher,
// most used first.
func (s *Server) publisherGroups(ctx context.Context) ([]publisherGroup, error) {
	labels, err := s.st.Labels(ctx, model.LabelPublisher, 0)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	var out []publisherGroup
	for _, l := range labels { // most used first, so a group's first name is its most used
		k := publisherKey(l.Name)
		if k == "" {
			k = l.Name
		}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, publisherGroup{Name: l.Name})
		}
		out[i].Names = append(out[i].Names, l.Name)
		out[i].Count += l.Count
	}
	slices.SortStableFunc(out, func(a, b publisherGroup) int { return b.Count - a.Count })
	return out, nil
}

// publisherNames finds the stored names of the publisher name belongs to;
// just name when no label matches.
func (s *Server) publisherNames(r *http.Request, name string) ([]string, error) {
	groups, err := s.publisherGroups(r.Context())
	if err != nil {
		return nil, err
	}
	k := publisherKey(name)
	for _, g := range groups {
		if publisherKey(g.Name) == k && k != "" || slices.Contains(g.Names, name) {
			return g.Names, nil
		}
	}
	return []string{name}, nil
}

// cleanLines keeps at most n non-blank lines of a text area, each a clean
// line of at most 200 characters.
func cleanLines(raw string, n int) string {
	var out []string
	for _, line := range parseLines(raw) {
		if line = cut(cleanLine(line), 200); line != "" && len(out) < n {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// labelNamesText writes the owner's label names back as the settings form
// shows them.
func labelNamesText(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + " = " + m[k] + "\n")
	}
	return b.String()
}

// plural is key's ".one" string for one, else its ".many" string with {n}.
func (v *view) plural(key string, n int) string {
	if n == 1 {
		return v.N(key+".one", n)
	}
	return v.N(key+".many", n)
}

// Plural is plural for templates.
func (v *view) Plural(key string, n int) string { return v.plural(key, n) }
