package main

// bcubed scores a clustering against gold labels as score_clusters.py
// does: per-item B-cubed precision and recall averaged, F1 of the averages,
// and pairwise precision and recall over same-cluster pairs.
type scores struct {
	P, R, F    float64
	PairP      float64
	PairR      float64
	Clusters   int
	Items      int
	PredPairs  int
	GoldPairs  int
	RightPairs int
}

func bcubed(gold, pred map[string]string) scores {
	gsize := map[string]int{}
	psize := map[string]int{}
	type pair struct{ g, p string }
	joint := map[pair]int{}
	for id, g := range gold {
		p, ok := pred[id]
		if !ok {
			p = "\x00" + id
		}
		gsize[g]++
		psize[p]++
		joint[pair{g, p}]++
	}
	var s scores
	for id, g := range gold {
		p, ok := pred[id]
		if !ok {
			p = "\x00" + id
		}
		n := float64(joint[pair{g, p}])
		s.P += n / float64(psize[p])
		s.R += n / float64(gsize[g])
	}
	s.Items = len(gold)
	if s.Items > 0 {
		s.P /= float64(s.Items)
		s.R /= float64(s.Items)
	}
	if s.P+s.R > 0 {
		s.F = 2 * s.P * s.R / (s.P + s.R)
	}
	pairs := func(n int) int { return n * (n - 1) / 2 }
	for _, n := range joint {
		s.RightPairs += pairs(n)
	}
	for _, n := range psize {
		s.PredPairs += pairs(n)
	}
	for _, n := range gsize {
		s.GoldPairs += pairs(n)
	}
	s.PairP, s.PairR = 1, 1
	if s.PredPairs > 0 {
		s.PairP = float64(s.RightPairs) / float64(s.PredPairs)
	}
	if s.GoldPairs > 0 {
		s.PairR = float64(s.RightPairs) / float64(s.GoldPairs)
	}
	s.Clusters = len(psize)
	return s
}

// bcubedOn is B-cubed precision, recall and F1 averaged over the items of
// only, the clusters counting every item of gold: how a held-out story
// fares among all the others, whose labels score but tune nothing.
func bcubedOn(gold, pred map[string]string, only map[string]bool) scores {
	gsize := map[string]int{}
	psize := map[string]int{}
	type pair struct{ g, p string }
	joint := map[pair]int{}
	label := func(id string) string {
		if p, ok := pred[id]; ok {
			return p
		}
		return "\x00" + id
	}
	for id, g := range gold {
		p := label(id)
		gsize[g]++
		psize[p]++
		joint[pair{g, p}]++
	}
	var s scores
	for id := range only {
		g, ok := gold[id]
		if !ok {
			continue
		}
		p := label(id)
		n := float64(joint[pair{g, p}])
		s.P += n / float64(psize[p])
		s.R += n / float64(gsize[g])
		s.Items++
	}
	if s.Items > 0 {
		s.P /= float64(s.Items)
		s.R /= float64(s.Items)
	}
	if s.P+s.R > 0 {
		s.F = 2 * s.P * s.R / (s.P + s.R)
	}
	return s
}
