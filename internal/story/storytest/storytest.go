// Package storytest holds a small hand-made labelled corpus for story
// grouping and copy detection, and the generator of its copies.
//
// The corpus (corpus/*.txt, written for kabar, English and Indonesian) has
// wire stories, each of which other sites may copy, and independent
// reports ("own" reporting) of some of the same events: same event, other
// words. Two events happen on the same day in the same country with many
// words in common (an earthquake in Sulawesi and an eruption in East Java;
// a flood in Jakarta and an earthquake in Garut) and must stay apart.
//
// Variants turns a wire story into the copies other sites publish, by the
// edits syndication makes: a changed headline, the dateline dropped, the
// ending trimmed, a paragraph of their own added before or after, words
// replaced, a sentence dropped, paragraphs split. The label of a variant
// is the wire story it copies; two texts are copies exactly when they come
// from one wire story. docs/stories.md describes how the benchmark uses it.
package storytest

import (
	"embed"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed corpus/*.txt
var corpusFS embed.FS

// Day is the corpus's day: Article.Hours count from it.
var Day = time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)

// Article is one text of the corpus.
type Article struct {
	Name  string // file name without .txt
	Event string // the event it reports: the story label
	Kind  string // "wire" (copied by other sites) or "own" (independent report)
	Lang  string
	// Hours after Day that it was published.
	Hours      int
	Title      string
	Alts       []string // other headlines sites give it
	Paragraphs []string
}

// Published is the article's publication time.
func (a *Article) Published() time.Time { return Day.Add(time.Duration(a.Hours) * time.Hour) }

// Corpus returns every article of the corpus, by name.
func Corpus() []Article {
	names, err := corpusFS.ReadDir("corpus")
	if err != nil {
		panic(err)
	}
	var out []Article
	for _, n := range names {
		data, err := corpusFS.ReadFile(path.Join("corpus", n.Name()))
		if err != nil {
			panic(err)
		}
		a, err := parse(string(data))
		if err != nil {
			panic(fmt.Sprintf("storytest: %s: %v", n.Name(), err))
		}
		a.Name = strings.TrimSuffix(n.Name(), ".txt")
		out = append(out, a)
	}
	return out
}

// Get returns the corpus article of that name.
func Get(name string) Article {
	for _, a := range Corpus() {
		if a.Name == name {
			return a
		}
	}
	panic("storytest: no article " + name)
}

func parse(s string) (Article, error) {
	var a Article
	head, body, ok := strings.Cut(s, "\n\n")
	if !ok {
		return a, fmt.Errorf("no body")
	}
	for _, line := range strings.Split(head, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			return a, fmt.Errorf("bad header line %q", line)
		}
		switch k {
		case "event":
			a.Event = v
		case "kind":
			a.Kind = v
		case "lang":
			a.Lang = v
		case "hours":
			n, err := strconv.Atoi(v)
			if err != nil {
				return a, err
			}
			a.Hours = n
		case "title":
			a.Title = v
		case "alt":
			a.Alts = append(a.Alts, v)
		default:
			return a, fmt.Errorf("unknown header %q", k)
		}
	}
	for _, p := range strings.Split(strings.TrimSpace(body), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			a.Paragraphs = append(a.Paragraphs, p)
		}
	}
	return a, nil
}

// Variant is one site's copy of a wire story.
type Variant struct {
	Article
	Site string
	// Base is the name of the wire story copied.
	Base  string
	Edits []string
}

// extra are paragraphs sites add to wire copy, by language.
var extra = map[string][]string{
	"en": {
		"This story has been updated with comments from local officials and will be updated again as more information becomes available.",
		"Follow our live coverage for the latest updates, pictures and video from the scene, and sign up for our morning newsletter.",
		"Our reporters contacted the regional government for further comment but had not received a reply by the time of publication.",
		"Readers in the affected area can send us their photos and accounts through the contact form on our website.",
		"The news comes as the region prepares for the busy holiday season, when traffic and tourism usually rise sharply.",
	},
	"id": {
		"Berita ini telah diperbarui dengan keterangan dari pejabat setempat dan akan terus diperbarui seiring perkembangan informasi.",
		"Ikuti terus perkembangan terkini, foto dan video dari lokasi kejadian hanya di laman kami dan media sosial resmi redaksi.",
		"Redaksi telah menghubungi pemerintah daerah untuk meminta tanggapan, namun hingga berita ini diturunkan belum mendapat jawaban.",
		"Pembaca di wilayah terdampak dapat mengirimkan foto dan cerita melalui formulir kontak yang tersedia di situs kami.",
	},
}

// synonyms are the word swaps of copy editors, by language.
var synonyms = map[string][][2]string{
	"en": {{"said", "stated"}, {"officials", "authorities"}, {"residents", "locals"}, {"about", "around"},
		{"more than", "over"}, {"told", "informed"}, {"added", "noted"}, {"people", "persons"}, {"expected", "anticipated"},
		{"on Tuesday", "on Tuesday morning"}, {"on Wednesday", "on Wednesday evening"}, {"company", "firm"}},
	"id": {{"kata", "ujar"}, {"warga", "masyarakat"}, {"sejumlah", "beberapa"}, {"mengatakan", "menyatakan"},
		{"hingga", "sampai"}, {"akibat", "karena"}, {"pemerintah", "Pemerintah"}, {"lebih dari", "lebih dari sekitar"}},
}

// dateline matches the opening "CITY (Agency) - " of wire copy.
func dropDateline(p string) string {
	if i := strings.Index(p, ") - "); i >= 0 && i < 60 {
		rest := p[i+len(") - "):]
		return strings.ToUpper(rest[:1]) + rest[1:]
	}
	return p
}

// FourSites is the fixed test case: a wire story as four sites publish it.
// site-a changes the headline, drops the dateline and adds a paragraph at
// the end; site-b trims the last two paragraphs and swaps words; site-c
// changes the headline, drops a sentence and adds a paragraph at the top;
// site-d keeps the first three paragraphs only (a brief), with words swapped.
func FourSites(a Article) []Variant {
	v := func(site string) Variant {
		c := a
		c.Paragraphs = slices.Clone(a.Paragraphs)
		return Variant{Article: c, Site: site, Base: a.Name}
	}
	alt := func(i int) string {
		if len(a.Alts) == 0 {
			return "Breaking: " + a.Title
		}
		return a.Alts[i%len(a.Alts)]
	}
	sa := v("site-a")
	sa.Title = alt(0)
	sa.Paragraphs[0] = dropDateline(sa.Paragraphs[0])
	sa.Paragraphs = append(sa.Paragraphs, extra[a.Lang][0])
	sa.Edits = []string{"headline", "dateline", "append"}

	sb := v("site-b")
	sb.Paragraphs = sb.Paragraphs[:max(2, len(sb.Paragraphs)-2)]
	swapWords(&sb.Article, 4)
	sb.Edits = []string{"trim", "words"}

	sc := v("site-c")
	sc.Title = alt(1)
	dropSentence(&sc.Article, 1)
	sc.Paragraphs = append([]string{extra[a.Lang][1]}, sc.Paragraphs...)
	sc.Edits = []string{"headline", "sentence", "prepend"}

	sd := v("site-d")
	sd.Paragraphs = sd.Paragraphs[:min(3, len(sd.Paragraphs))]
	swapWords(&sd.Article, 2)
	sd.Edits = []string{"brief", "words"}
	return []Variant{sa, sb, sc, sd}
}

// Variants makes n sites' copies of a wire story with random edits, the
// same for the same seed.
func Variants(a Article, n int, seed uint64) []Variant {
	r := rand.New(rand.NewPCG(seed, uint64(len(a.Name))))
	var out []Variant
	for i := 0; i < n; i++ {
		c := a
		c.Paragraphs = slices.Clone(a.Paragraphs)
		v := Variant{Article: c, Site: fmt.Sprintf("site-%d", i+1), Base: a.Name}
		if r.IntN(2) == 0 {
			v.Title = a.Alts[r.IntN(len(a.Alts))]
			v.Edits = append(v.Edits, "headline")
		}
		if r.IntN(2) == 0 {
			v.Paragraphs[0] = dropDateline(v.Paragraphs[0])
			v.Edits = append(v.Edits, "dateline")
		}
		// One to three edits, applied in the order an editor would: cut
		// and reword the wire text first, then add the site's own lines.
		ops := map[int]bool{}
		for k := 1 + r.IntN(3); k > 0; k-- {
			ops[r.IntN(7)] = true
		}
		if ops[0] { // trimmed ending, keeping at least two paragraphs
			keep := max(2, len(v.Paragraphs)*(4+r.IntN(5))/10)
			if keep < len(v.Paragraphs) {
				v.Paragraphs = v.Paragraphs[:keep]
				v.Edits = append(v.Edits, "trim")
			}
		}
		if ops[1] {
			dropSentence(&v.Article, r.IntN(len(v.Paragraphs)))
			v.Edits = append(v.Edits, "sentence")
		}
		if ops[2] {
			swapWords(&v.Article, 2+r.IntN(5))
			v.Edits = append(v.Edits, "words")
		}
		if ops[3] { // a long paragraph split in two
			i := r.IntN(len(v.Paragraphs))
			if s := strings.SplitAfterN(v.Paragraphs[i], ". ", 2); len(s) == 2 {
				v.Paragraphs = slices.Insert(slices.Delete(v.Paragraphs, i, i+1), i, strings.TrimSpace(s[0]), s[1])
				v.Edits = append(v.Edits, "split")
			}
		}
		if ops[6] { // reworded: every fourth word of two paragraphs changed
			for k := 0; k < 2; k++ {
				i := r.IntN(len(v.Paragraphs))
				ws := strings.Fields(v.Paragraphs[i])
				for j := 3; j < len(ws); j += 4 {
					ws[j] = ws[r.IntN(len(ws))]
				}
				v.Paragraphs[i] = strings.Join(ws, " ")
			}
			v.Edits = append(v.Edits, "reword")
		}
		if ops[4] {
			v.Paragraphs = append([]string{extra[a.Lang][r.IntN(len(extra[a.Lang]))]}, v.Paragraphs...)
			v.Edits = append(v.Edits, "prepend")
		}
		if ops[5] {
			v.Paragraphs = append(v.Paragraphs, extra[a.Lang][r.IntN(len(extra[a.Lang]))])
			v.Edits = append(v.Edits, "append")
		}
		out = append(out, v)
	}
	return out
}

// swapWords replaces up to n words by their synonyms.
func swapWords(a *Article, n int) {
	for _, pair := range synonyms[a.Lang] {
		if n == 0 {
			return
		}
		for i, p := range a.Paragraphs {
			if strings.Contains(p, " "+pair[0]+" ") {
				a.Paragraphs[i] = strings.Replace(p, " "+pair[0]+" ", " "+pair[1]+" ", 1)
				n--
				break
			}
		}
	}
}

// dropSentence removes the last sentence of paragraph i when it has two or
// more.
func dropSentence(a *Article, i int) {
	if i >= len(a.Paragraphs) {
		return
	}
	p := a.Paragraphs[i]
	j := strings.LastIndex(strings.TrimSuffix(p, "."), ". ")
	if j > 0 {
		a.Paragraphs[i] = p[:j+1]
	}
}

// Roundup is a news digest: the lead paragraphs of several stories, one
// after the other, as sites publish them ("What you need to know today").
// It quotes each, copies none: a hard case for copy detection.
func Roundup(title string, arts ...Article) Article {
	r := Article{Name: "roundup", Event: "roundup", Kind: "own", Lang: arts[0].Lang, Hours: arts[0].Hours, Title: title}
	for _, a := range arts {
		r.Paragraphs = append(r.Paragraphs, dropDateline(a.Paragraphs[0]))
		if a.Hours > r.Hours {
			r.Hours = a.Hours
		}
	}
	return r
}

// Quoting is a reporter's own story that quotes one paragraph of the wire
// story of the same event: the same story, no copy.
func Quoting(own, wire Article) Article {
	q := own
	q.Name = own.Name + "+quote"
	q.Paragraphs = slices.Clone(own.Paragraphs)
	i := min(2, len(q.Paragraphs))
	q.Paragraphs = slices.Insert(q.Paragraphs, i, wire.Paragraphs[min(2, len(wire.Paragraphs)-1)])
	return q
}
