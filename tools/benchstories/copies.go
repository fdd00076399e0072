package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/internal/story"
	"github.com/kabarnews/kabar/internal/story/storytest"
	"github.com/kabarnews/kabar/tools/benchstories/synth"
)

// copyDoc is one text of the copy set with its labels.
type copyDoc struct {
	name  string
	base  string // the wire story it copies (itself for an original or own report)
	event string
	art   storytest.Article
	at    time.Time
	edits []string
}

// copySet is the labelled copy set: every corpus article as published by
// its own site; n copies of each wire story with random syndication edits
// (storytest.Variants), published from 20 minutes before to a few hours
// after the original (a copy may come first); and two kinds of hard
// cases: each own report again with a paragraph of its event's wire story
// quoted in it (storytest.Quoting: a copy of the own report, not of the
// wire), and digests of three wire stories' leads each, sharing at most one
// lead with each other (storytest.Roundup: a story of its own, copying
// none).
func copySet(n int) []copyDoc {
	corpus := storytest.Corpus()
	var docs []copyDoc
	wires := map[string][]storytest.Article{}
	wireOf := map[string]storytest.Article{}
	for _, a := range corpus {
		docs = append(docs, copyDoc{name: a.Name, base: a.Name, event: a.Event, art: a, at: a.Published()})
		if a.Kind != "wire" {
			continue
		}
		wires[a.Lang] = append(wires[a.Lang], a)
		wireOf[a.Event] = a
		for i, v := range storytest.Variants(a, n, 7) {
			docs = append(docs, copyDoc{name: a.Name + "/" + v.Site, base: a.Name, event: a.Event, art: v.Article,
				at: a.Published().Add(time.Duration(i*37-20) * time.Minute), edits: v.Edits})
		}
	}
	for _, a := range corpus {
		if w, ok := wireOf[a.Event]; ok && a.Kind == "own" {
			q := storytest.Quoting(a, w)
			// It copies the own report (a paragraph added), not the wire.
			docs = append(docs, copyDoc{name: q.Name, base: a.Name, event: a.Event, art: q, at: a.Published().Add(time.Hour)})
		}
	}
	for lang, ws := range wires {
		// Digests share at most one lead with each other.
		var taken [][3]int
		for i := 0; i < len(ws) && len(taken) < 4; i++ {
			for j := i + 1; j < len(ws) && len(taken) < 4; j++ {
			next:
				for k := j + 1; k < len(ws) && len(taken) < 4; k++ {
					for _, t := range taken {
						common := 0
						for _, x := range []int{i, j, k} {
							if slices.Contains(t[:], x) {
								common++
							}
						}
						if common > 1 {
							continue next
						}
					}
					taken = append(taken, [3]int{i, j, k})
				}
			}
		}
		for n, t := range taken {
			r := storytest.Roundup(fmt.Sprintf("Briefing %s %d", lang, n+1), ws[t[0]], ws[t[1]], ws[t[2]])
			name := fmt.Sprintf("roundup-%s-%d", lang, n+1)
			docs = append(docs, copyDoc{name: name, base: name, event: name, art: r, at: r.Published().Add(2 * time.Hour)})
		}
	}
	slices.SortStableFunc(docs, func(a, b copyDoc) int { return a.at.Compare(b.at) })
	return docs
}

// runCopies assigns the set and returns each doc's copy root (the original
// of its copy group) and story.
func runCopies(ctx context.Context, docs []copyDoc, dir string, cfg story.Config) (roots, stories map[string]string, err error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("copies-%d.db", time.Now().UnixNano())))
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = st.Close() }() // a scratch store, read for its stories
	a := story.NewAssigner(st, cfg)
	posts := map[string]int64{}
	for i, d := range docs {
		p := &model.Post{Title: d.art.Title, Publisher: d.name, Published: d.at, Language: d.art.Lang,
			SourceURL: fmt.Sprintf("https://site%d.example/news/%d", i, i), Paragraphs: d.art.Paragraphs,
			ContentHash: synth.ContentHash(d.art.Paragraphs)}
		if _, err := st.SavePost(ctx, p); err != nil {
			return nil, nil, err
		}
		if _, _, err := a.Assign(ctx, p, nil); err != nil {
			return nil, nil, err
		}
		posts[d.name] = p.ID
	}
	roots, stories = map[string]string{}, map[string]string{}
	for name, id := range posts {
		l, err := st.PostStory(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		root := id
		if l.CopyOf != 0 {
			root = l.CopyOf
		}
		roots[name] = fmt.Sprint(root)
		stories[name] = fmt.Sprint(l.StoryID)
	}
	return roots, stories, nil
}

// exhaustive decides every pair on its own (no index, no copy groups):
// containment of the two signatures against the threshold. It shows what
// the LSH index and the grouping cost or gain.
func exhaustive(docs []copyDoc, thr float64) (p, r float64) {
	cfg := story.NewAssigner(nil, story.Config{}).Config()
	sigs := make([]*story.Signature, len(docs))
	for i, d := range docs {
		toks := story.Tokens(strings.Join(d.art.Paragraphs, "\n"))
		s := story.Sign(toks)
		if s.Shingles >= cfg.MinCopyShingles {
			sigs[i] = &s
		}
	}
	var tp, fp, fn int
	for i := range docs {
		for j := i + 1; j < len(docs); j++ {
			gold := docs[i].base == docs[j].base
			pred := sigs[i] != nil && sigs[j] != nil && sigs[i].Containment(sigs[j]) >= thr
			switch {
			case gold && pred:
				tp++
			case pred:
				fp++
			case gold:
				fn++
			}
		}
	}
	return ratio(tp, tp+fp), ratio(tp, tp+fn)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func benchCopies(ctx context.Context, tmp string, cfg story.Config, sites int, sweep bool) error {
	docs := copySet(sites)
	gold, events := map[string]string{}, map[string]string{}
	kinds := map[string]int{}
	for _, d := range docs {
		gold[d.name], events[d.name] = d.base, d.event
		switch {
		case strings.HasPrefix(d.name, "roundup-"):
			kinds["roundup"]++
		case strings.HasSuffix(d.name, "+quote"):
			kinds["quoting"]++
		case d.base != d.name:
			kinds["copy"]++
		default:
			kinds[d.art.Kind]++
		}
	}
	fmt.Printf("## Copies: %d texts: %d wire stories with %d copies each (random edits), %d own reports, "+
		"%d own reports quoting the wire, %d digests of three wire leads\n\n",
		len(docs), kinds["wire"], sites, kinds["own"], kinds["quoting"], kinds["roundup"])
	roots, stories, err := runCopies(ctx, docs, tmp, cfg)
	if err != nil {
		return err
	}
	c := bcubed(gold, roots)
	fmt.Printf("copy detection, pairwise: P %.3f R %.3f (copy pairs: correct %d, predicted %d, gold %d)\n",
		c.PairP, c.PairR, c.RightPairs, c.PredPairs, c.GoldPairs)
	s := bcubed(events, stories)
	fmt.Printf("stories of the same set: B-cubed P %.3f R %.3f F1 %.3f (%d stories for %d events)\n\n",
		s.P, s.R, s.F, s.Clusters, len(uniq(events)))
	if !sweep {
		return nil
	}
	fmt.Println("copy threshold sweep: assigner (LSH index, copy groups) and every pair compared alone:")
	fmt.Println("| threshold | P | R | all pairs P | all pairs R |")
	fmt.Println("|---|---|---|---|---|")
	for _, thr := range []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9} {
		c2 := cfg
		c2.CopyThreshold = thr
		roots, _, err := runCopies(ctx, docs, tmp, c2)
		if err != nil {
			return err
		}
		s := bcubed(gold, roots)
		ep, er := exhaustive(docs, thr)
		fmt.Printf("| %.1f | %.3f | %.3f | %.3f | %.3f |\n", thr, s.PairP, s.PairR, ep, er)
	}
	fmt.Println()
	return nil
}

func uniq(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range m {
		out[v] = true
	}
	return out
}
