package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type ssrfRow struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	URL        string `json:"url"`
	DialInTest string `json:"dial_in_test"`
	Category   string `json:"category"`
}

// runSSRF delivers the kit's SSRF targets to kabar as feed URLs, as item
// links, enclosures and inline images of a feed, and through redirects of
// the allowed fixture server, then counts what reached the canary.
//
// Only rows whose target kabar could reach without asking DNS are used:
// an IP literal (any form Go's URL parser turns into one) or "localhost"
// (answered by /etc/hosts). Rows needing the kit's stub resolver, and rows
// aimed at non-loopback addresses, cannot be run against the binary without
// risking packets off the machine; kabar's own tests (internal/fetch) cover
// them with a stub resolver and a guard dialer.
func runSSRF(c *config) []*row {
	r := &row{scenario: "SSRF targets (canary)", store: "SQLite"}
	if c.fixtures == "" {
		r.skipped = "the hostile-input kit was not found (-fixtures)"
		return []*row{r}
	}
	b, err := os.ReadFile(filepath.Join(c.fixtures, "ssrf", "ssrf_targets.jsonl"))
	if err != nil {
		r.skipped = err.Error()
		return []*row{r}
	}
	startT := time.Now()
	fx := startFixture()
	defer fx.close()
	can := startCanary()
	defer can.close()
	var targets []ssrfRow
	left := 0
	for _, line := range bytes.Split(b, []byte("\n")) {
		var s ssrfRow
		if json.Unmarshal(line, &s) != nil || s.ID == "" {
			continue
		}
		s.URL = strings.ReplaceAll(s.URL, "{CANARY_PORT}", strconv.Itoa(can.port))
		s.URL = strings.ReplaceAll(s.URL, "{FIXTURE}", fx.base)
		if !loopbackTarget(s) {
			left++
			continue
		}
		targets = append(targets, s)
	}
	dir := filepath.Join(c.tmp, "ssrf")
	mkdir(dir)
	db := filepath.Join(dir, "kabar.db")
	// Each URL as a feed URL; kabar may refuse it at once (that is a pass).
	refused := 0
	for _, s := range targets {
		r.tried++
		if _, err := kabar(c, "", "--db", db, "feeds", "add", tag(s.URL, s.ID)); err != nil {
			refused++
		}
	}
	// Every URL as an item link, an enclosure and an inline image.
	var feed bytes.Buffer
	feed.WriteString(rssHead("ssrf"))
	for i, s := range targets {
		u := html.EscapeString(tag(s.URL, s.ID))
		fmt.Fprintf(&feed, `<item><title>SSRF %s</title><link>%s</link><guid>ssrf-%d</guid><enclosure url="%s" type="image/jpeg" length="1"/><description>%s</description></item>`,
			s.ID, u, i, u, html.EscapeString(`<p>image <img src="`+tag(s.URL, s.ID)+`"> and <a href="`+tag(s.URL, s.ID)+`">link</a></p>`))
		r.tried += 2
	}
	feed.WriteString(`</channel></rss>`)
	feedURL := fx.add(&hostileFeed{name: "ssrf.xml", body: feed.Bytes()})
	if _, err := kabar(c, "", "--db", db, "feeds", "add", feedURL); err != nil {
		r.fail("feeds add of the SSRF feed: %v", err)
	}
	p, err := start(c, filepath.Join(dir, "run.log"), nil, "--db", db, "run", "--once",
		"--allow-addr", fixtureIP+"/32", "--host-delay", "0", "--gnews-online=false")
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	if p.wait(c.hostileBound) {
		r.fail("run --once still running after %s (killed)", c.hostileBound)
	}
	if bad, why := p.crashed(); bad {
		r.fail("crashed: %s", why)
	}
	r.rss(p.peakRSS())
	// Attribute each canary hit to its row by the tag in its query.
	hitRows := map[string]bool{}
	untagged := 0
	for _, line := range can.requests() {
		if i := strings.Index(line, "ssrf="); i >= 0 {
			id := line[i+5:]
			if j := strings.IndexAny(id, " &"); j >= 0 {
				id = id[:j]
			}
			hitRows[id] = true
		} else {
			untagged++
		}
	}
	for id := range hitRows {
		r.fail("%s reached the canary", id)
	}
	if n := can.conns.Load(); n > 0 && len(hitRows) == 0 {
		r.fail("the canary accepted %d connections (%d without a row tag)", n, untagged)
	}
	r.note("%d of the kit's rows need DNS or aim off loopback and are left to kabar's unit tests; %d rows × 3 entry points run; %d refused by feeds add", left, len(targets), refused)
	r.took = time.Since(startT)
	return []*row{r}
}

// loopbackTarget says whether a row can run against the binary without
// DNS and without a non-loopback destination.
func loopbackTarget(s ssrfRow) bool {
	switch s.Kind {
	case "url", "redirect", "entry-point":
	default:
		return false
	}
	if s.Kind == "redirect" {
		u, err := url.Parse(s.URL)
		if err != nil {
			return false
		}
		to := u.Query().Get("to")
		if to == "" {
			return true // loops and chains stay on the fixture
		}
		if strings.HasPrefix(to, "//") {
			to = "http:" + to
		}
		return loopbackTarget(ssrfRow{Kind: "url", URL: to})
	}
	u, err := url.Parse(strings.TrimSpace(s.URL))
	if err != nil {
		// A URL Go refuses is one kabar refuses before any lookup.
		return !strings.Contains(s.URL, "://") || strings.Contains(s.URL, "127.0.0.1")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return u.Host == "" || strings.HasPrefix(u.Host, "127.")
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && (a.IsLoopback() || a.IsUnspecified() || a.Unmap().IsLoopback() || a.Unmap().IsUnspecified())
}

// tag adds the row's id to the URL's query, so that a canary hit names it.
func tag(u, id string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	if strings.Contains(u, "?") {
		return u + "&ssrf=" + id
	}
	return u + "?ssrf=" + id
}
