package story

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The pair scorer: a post and a candidate story are described by a few
// features (FeatureNames) and a logistic regression turns them into the
// probability that the post reports the story's event. Its weights are
// data (weights.json, embedded), fitted by tools/benchstories -fit on
// labelled stories; docs/stories.md has the features, the fit and the
// ablation.

// FeatureNames are the pair features, in the order of a feature vector:
//
//   - title: cosine of the post's title words and the story's (the sum of
//     its reports' titles, a centroid that drifts as the story grows),
//     rarity-weighted, times the time decay;
//   - best_title: the same cosine with the closest of the story's latest
//     reports alone (a story's centroid blurs when it grows);
//   - lead: cosine of the names of the post's lead and the story's, times
//     the decay;
//   - names: the rarity-weighted share of the post's names (capitalised
//     words, acronyms) in title and lead that the story holds, times the
//     decay: they cross languages;
//   - numbers: the share of the post's figures (Numbers: "6,2" = "6.2")
//     that the story holds, times the decay; 0 when the post has none;
//   - numbers_differ: 1 when the post and the story both give figures and
//     none of the post's is the story's (a flood's 15 houses are not a
//     quake's 1,200);
//   - one_word: 1 when the post's title has at most one word in common
//     with the story's titles and lead names (a place or a name shared by
//     two events);
//   - body: the highest estimated containment of the post's body in a
//     report of the story (MinHash, 0 when none shares an LSH band);
//   - same_publisher: 1 when the story has a report of the same publisher
//     within 6 hours of the post;
//   - gap: hours between the post and the story's nearest report, over 24,
//     at most 3 (0 within the story's span);
//   - size: ln(1 + the story's reports in the window);
//   - other_lang: 1 when the post's language is not the story's;
//   - coverage: the rarity-weighted share of the post's title words that
//     the story's titles hold, times the decay: unlike the cosine, not
//     diluted when a big story's titles use many words.
var FeatureNames = []string{"title", "best_title", "lead", "names", "numbers", "one_word", "body",
	"same_publisher", "gap", "size", "other_lang", "numbers_differ", "coverage"}

// Model is a fitted pair scorer and the thresholds that go with it.
type Model struct {
	// Features are the names (FeatureNames) the weights go with.
	Features []string  `json:"features"`
	Weights  []float64 `json:"weights"`
	Bias     float64   `json:"bias"`
	// Join is the least probability for a post to join a story
	// (Config.StoryThreshold when that is zero); Merge the least title
	// similarity of two stories a post joins both of for them to merge
	// (Config.MergeThreshold).
	Join  float64 `json:"join"`
	Merge float64 `json:"merge"`
	// Priors are weights, set by hand and never fitted, for the features
	// the training stories cannot tell (Unfitted, or not in Features).
	Priors map[string]float64 `json:"priors,omitempty"`
	// Unfitted are the features too rare in the training pairs to fit
	// (non-zero in fewer than minSupport of them: stories-dev has
	// headlines only, no lead, body or figures to speak of); their weight
	// is their prior, or 0.
	Unfitted []string `json:"unfitted,omitempty"`
	// Support counts, for each feature, the training pairs where it was
	// not 0.
	Support []int `json:"support,omitempty"`
	// Source says what it was fitted on and how.
	Source string `json:"source,omitempty"`

	cols []int // positions of Features in FeatureNames
	// w are the weights in use, by position in FeatureNames.
	w []float64
}

// minSupport is the least number of training pairs in which a feature
// must be non-zero for its weight to be fitted.
const minSupport = 100

//go:embed weights.json
var weightsJSON []byte

// defaultModel is the scorer in weights.json.
var defaultModel = func() *Model {
	m, err := ParseModel(weightsJSON)
	if err != nil {
		panic(fmt.Sprintf("story: weights.json: %v", err))
	}
	return m
}()

// DefaultModel returns a copy of the embedded scorer.
func DefaultModel() *Model {
	m := *defaultModel
	m.Features = slices.Clone(m.Features)
	m.Weights = slices.Clone(m.Weights)
	m.cols = slices.Clone(m.cols)
	m.w = slices.Clone(m.w)
	m.Unfitted = slices.Clone(m.Unfitted)
	return &m
}

// ParseModel reads a scorer written by Model.JSON.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// JSON is the scorer as weights.json holds it.
func (m *Model) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// check validates the model and maps its features to vector positions.
func (m *Model) check() error {
	if len(m.Features) != len(m.Weights) {
		return fmt.Errorf("%d features but %d weights", len(m.Features), len(m.Weights))
	}
	if m.Join <= 0 || m.Join >= 1 {
		return fmt.Errorf("join probability %v: want between 0 and 1", m.Join)
	}
	m.cols = m.cols[:0]
	for _, f := range m.Features {
		i := slices.Index(FeatureNames, f)
		if i < 0 {
			return fmt.Errorf("unknown feature %q (known: %v)", f, FeatureNames)
		}
		m.cols = append(m.cols, i)
	}
	for f := range m.Priors {
		if !slices.Contains(FeatureNames, f) {
			return fmt.Errorf("unknown prior feature %q", f)
		}
	}
	m.w = make([]float64, len(FeatureNames))
	for i, c := range m.cols {
		m.w[c] = m.Weights[i]
	}
	for f, w := range m.Priors {
		if i := slices.Index(m.Features, f); i < 0 || slices.Contains(m.Unfitted, f) {
			m.w[slices.Index(FeatureNames, f)] = w
		}
	}
	return nil
}

// Prob is the probability that the pair described by v (in FeatureNames
// order) is one story.
func (m *Model) Prob(v []float64) float64 {
	z := m.Bias
	for i, w := range m.w {
		z += w * v[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// Example is one post-story pair for fitting: its features (FeatureNames
// order) and whether the post belongs to the story.
type Example struct {
	X    []float64
	Same bool
}

// Fit fits a logistic regression of same on the named features of the
// examples (Newton's method, an L2 penalty l2 on the weights, not the
// bias). Features non-zero in fewer than minSupport examples cannot be
// told: they get weight 0 and are listed in Unfitted, where a prior set
// afterwards stands in. Join and Merge are left for the caller to choose.
func Fit(examples []Example, features []string, l2 float64) (*Model, error) {
	m := &Model{Features: slices.Clone(features), Weights: make([]float64, len(features)), Join: 0.5}
	if err := m.check(); err != nil {
		return nil, err
	}
	if len(examples) == 0 {
		return nil, errors.New("no examples to fit")
	}
	pos := 0
	for _, e := range examples {
		if e.Same {
			pos++
		}
	}
	if pos == 0 || pos == len(examples) {
		return nil, errors.New("the examples need both outcomes")
	}
	skip := m.countSupport(examples)
	d := len(features) + 1 // the bias last
	w := make([]float64, d)
	x := make([]float64, d)
	for iter := 0; iter < 100; iter++ {
		g := make([]float64, d)
		h := make([][]float64, d)
		for i := range h {
			h[i] = make([]float64, d)
		}
		for _, e := range examples {
			for i, c := range m.cols {
				x[i] = e.X[c]
				if skip[i] {
					x[i] = 0
				}
			}
			x[d-1] = 1
			z := 0.0
			for i := range x {
				z += w[i] * x[i]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if e.Same {
				y = 1
			}
			r, s := y-p, p*(1-p)
			for i := range x {
				if x[i] == 0 {
					continue
				}
				g[i] += r * x[i]
				for j := range x {
					h[i][j] += s * x[i] * x[j]
				}
			}
		}
		for i := 0; i < d-1; i++ {
			g[i] -= l2 * w[i]
			h[i][i] += l2
		}
		h[d-1][d-1] += 1e-9
		step, err := solve(h, g)
		if err != nil {
			return nil, err
		}
		change := 0.0
		for i := range w {
			w[i] += step[i]
			change = max(change, math.Abs(step[i]))
		}
		if change < 1e-9 {
			break
		}
	}
	copy(m.Weights, w[:d-1])
	m.Bias = w[d-1]
	return m, m.check()
}

// countSupport counts, for each of the model's features, the examples in
// which it is non-zero (Support), lists those too rarely so (Unfitted)
// and returns which they are, to be left out of the fit.
func (m *Model) countSupport(examples []Example) (skip []bool) {
	m.Support = make([]int, len(m.Features))
	for _, e := range examples {
		for i, c := range m.cols {
			if e.X[c] != 0 {
				m.Support[i]++
			}
		}
	}
	skip = make([]bool, len(m.Features))
	for i, n := range m.Support {
		if n < minSupport {
			skip[i] = true
			m.Unfitted = append(m.Unfitted, m.Features[i])
		}
	}
	return skip
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return nil, errors.New("singular system: a feature is constant")
		}
		a[col], a[p] = a[p], a[col]
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < n; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x, nil
}
