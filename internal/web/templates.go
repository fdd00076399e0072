package web

import (
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/kabarnews/kabar/internal/model"
)

// pageSets are the site's templates: for each locale's tag, one set per
// page.
type pageSets map[string]map[string]*template.Template

// parsePages builds, for each locale, one template set per page: the
// layout, the shared pieces in shared.html and the page's own blocks.
// With bake, each set has its locale's strings written in (bakeStrings).
func parsePages(fsys fs.FS, locales map[string]*locale, bake bool) (pageSets, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	src := make(map[string]string, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		src[path.Base(name)] = string(b)
	}
	sets := make(pageSets, len(locales))
	for tag, loc := range locales {
		pages := make(map[string]*template.Template)
		for base := range src {
			if base == "layout.html" || base == "shared.html" {
				continue
			}
			t := template.New(base).Funcs(templateFuncs)
			for _, file := range []string{"layout.html", "shared.html", base} {
				text := src[file]
				if bake {
					text = bakeStrings(text, loc)
				}
				tf := t
				if file != base {
					tf = t.New(file)
				}
				if _, err := tf.Parse(text); err != nil {
					return nil, err
				}
			}
			pages[strings.TrimSuffix(base, ".html")] = t
		}
		sets[tag] = pages
	}
	return sets, nil
}

// tCall is a template action that asks the locale for a constant key,
// {{.T "key"}} or {{$.T "key"}}, with its trim markers if any.
var tCall = regexp.MustCompile(`\{\{(- )?\s*\$?\.T\s+"([^"\\]+)"\s*( -)?\}\}`)

// escapeText escapes a string as html/template does in text and in quoted
// attributes, where the templates ask for strings.
var escapeText = template.Must(template.New("").Parse("{{.}}"))

// bakeStrings writes each {{.T "key"}} of a template's source as the
// locale's string, escaped as html/template would escape it there. Each
// action html/template executes is a call through reflection, and an
// escaper's call after it: a post page asks for about thirty strings, and
// these calls were most of its templates' CPU (BenchmarkPages). What a
// page shows is the same (TestBakedStringsSamePages). A trim marker is
// kept as an empty comment that trims the same side.
func bakeStrings(src string, loc *locale) string {
	return tCall.ReplaceAllStringFunc(src, func(action string) string {
		m := tCall.FindStringSubmatch(action)
		var b strings.Builder
		if m[1] != "" {
			b.WriteString("{{- /**/}}")
		}
		if err := escapeText.Execute(&b, loc.T(m[2])); err != nil {
			// A string cannot fail to execute; should it, the action
			// stays as it was.
			return action
		}
		if m[3] != "" {
			b.WriteString("{{/**/ -}}")
		}
		return b.String()
	})
}

// commentArgs hands the "comment" partial its page and comment.
type commentArgs struct {
	Page    *postPage
	Comment model.Comment
}

var templateFuncs = template.FuncMap{
	"args": func(p *postPage, c model.Comment) commentArgs { return commentArgs{p, c} },
}

// pageData is what render takes: a page that carries its view.
type pageData interface{ pageView() *view }

func (v *view) pageView() *view { return v }
