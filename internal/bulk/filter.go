package bulk

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Filter selects the records to import. Conditions of one kind are
// alternatives (host=a.com host=b.com: either); conditions of different
// kinds must all hold.
type Filter struct {
	hosts []string
	urls  []*regexp.Regexp
	langs []string
}

// ParseFilter reads --filter conditions: host=example.com (the host or
// any of its subdomains), url=PATTERN (the whole URL; * is any run of
// characters) and lang=en (the language the extractor finds).
func ParseFilter(conds []string) (*Filter, error) {
	f := &Filter{}
	for _, c := range conds {
		k, v, ok := strings.Cut(c, "=")
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			return nil, fmt.Errorf("filter %q: want host=NAME, url=PATTERN or lang=CODE", c)
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "host":
			f.hosts = append(f.hosts, strings.TrimPrefix(strings.ToLower(v), "."))
		case "url":
			parts := strings.Split(v, "*")
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			f.urls = append(f.urls, regexp.MustCompile("^"+strings.Join(parts, ".*")+"$"))
		case "lang", "language":
			f.langs = append(f.langs, strings.ToLower(v))
		default:
			return nil, fmt.Errorf("filter %q: unknown kind %q (host, url or lang)", c, k)
		}
	}
	return f, nil
}

func (f *Filter) matchURL(u *url.URL) bool {
	if f == nil {
		return true
	}
	if len(f.hosts) > 0 {
		host, ok := strings.ToLower(u.Hostname()), false
		for _, h := range f.hosts {
			if host == h || strings.HasSuffix(host, "."+h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.urls) > 0 {
		s := u.String()
		for _, re := range f.urls {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	}
	return true
}

func (f *Filter) matchLanguage(lang string) bool {
	if f == nil || len(f.langs) == 0 {
		return true
	}
	lang = strings.ToLower(lang)
	for _, l := range f.langs {
		if lang == l || strings.HasPrefix(lang, l+"-") {
			return true
		}
	}
	return false
}

// Shard is one part of an archive split between processes: records are
// dealt by a hash of their target URL, so one URL always goes to the same
// process. The zero Shard is the whole archive.
type Shard struct {
	Index, Count int // Index in 1..Count
}

// ParseShard reads "i/n" (1 ≤ i ≤ n).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 ≤ i ≤ n, such as 1/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (s Shard) has(target string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(target))
	return int(h.Sum64()%uint64(s.Count)) == s.Index-1
}

func (s Shard) String() string {
	if s.Count <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}
