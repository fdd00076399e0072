package web

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"time"
)

// Search engines: robots.txt, sitemaps and the favicon.
//
// /sitemap.xml lists every post (and the home page); past sitemapMaxURLs
// posts it becomes a sitemap index of pages /sitemap.xml?page=N, the
// protocol's limit per file. /sitemap-news.xml is a Google News sitemap
// of the posts of the last 48 hours (at most 1,000, Google's limit).
// robots.txt names the sitemap while the owner lets search engines index
// the site, and disallows everything while the site is noindex.

const (
	sitemapMaxURLs  = 50000
	newsSitemapMax  = 1000
	newsSitemapSpan = 48 * time.Hour
)

func (s *Server) seoRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /robots.txt", s.handle(s.handleRobots))
	m.HandleFunc("GET /sitemap.xml", s.handle(s.handleSitemap))
	m.HandleFunc("GET /sitemap-news.xml", s.handle(s.handleNewsSitemap))
	m.HandleFunc("GET /favicon.ico", s.handle(s.handleFavicon))
}

func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if !s.cache.settings(r.Context()).Index {
		// The owner keeps the site out of search engines.
		fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		return nil
	}
	base := s.baseURL(r)
	fmt.Fprintf(w, "User-agent: *\nDisallow: /admin\nDisallow: /api/\nDisallow: /search?\n\nSitemap: %s/sitemap.xml\nSitemap: %s/sitemap-news.xml\n", base, base)
	return nil
}

type sitemapURL struct {
	Loc     string       `xml:"loc"`
	LastMod string       `xml:"lastmod,omitempty"`
	News    *sitemapNews `xml:"news:news,omitempty"`
}

type sitemapNews struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	Date  string `xml:"news:publication_date"`
	Title string `xml:"news:title"`
}

type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	NewsNS  string       `xml:"xmlns:news,attr,omitempty"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name `xml:"sitemapindex"`
	NS       string   `xml:"xmlns,attr"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

func writeXML(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}

func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	total, err := s.st.CountPosts(ctx)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	per := s.sitemapMax
	pages := (total + per - 1) / per
	raw := r.URL.Query().Get("page")
	if raw == "" && pages > 1 {
		idx := sitemapIndex{NS: sitemapNS}
		for i := 1; i <= pages; i++ {
			idx.Sitemaps = append(idx.Sitemaps, struct {
				Loc string `xml:"loc"`
			}{base + "/sitemap.xml?page=" + strconv.Itoa(i)})
		}
		writeXML(w, idx)
		return nil
	}
	n := 1
	if raw != "" {
		if n, err = strconv.Atoi(raw); err != nil || n < 1 || n > max(pages, 1) {
			s.notFound(w, r)
			return nil
		}
	}
	set := urlSet{NS: sitemapNS}
	if n == 1 {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + "/"})
	}
	posts, err := s.st.PostStubs(ctx, time.Time{}, per, (n-1)*per)
	if err != nil {
		return err
	}
	for _, p := range posts {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + p.Path(), LastMod: p.Published.UTC().Format(time.RFC3339)})
	}
	writeXML(w, set)
	return nil
}

func (s *Server) handleNewsSitemap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	posts, err := s.st.PostStubs(ctx, s.cfg.Now().Add(-newsSitemapSpan), newsSitemapMax, 0)
	if err != nil {
		return err
	}
	v := s.newView(r)
	base := s.baseURL(r)
	set := urlSet{NS: sitemapNS, NewsNS: "http://www.google.com/schemas/sitemap-news/0.9"}
	for _, p := range posts {
		n := &sitemapNews{Date: p.Published.UTC().Format(time.RFC3339), Title: p.Title}
		n.Publication.Name = v.SiteTitle
		n.Publication.Language = firstOf(p.Language, s.cfg.Lang)
		set.URLs = append(set.URLs, sitemapURL{Loc: base + p.Path(), News: n})
	}
	writeXML(w, set)
	return nil
}

// favicon is a 32×32 PNG in an ICO container, drawn once: the site's
// blue with a white "k".
var favicon = func() []byte {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	blue := color.NRGBA{0x1a, 0x5f, 0xb4, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := range size {
		for x := range size {
			// Rounded corners: leave the corner pixels clear.
			cx, cy := min(x, size-1-x), min(y, size-1-y)
			if cx+cy < 3 {
				continue
			}
			img.Set(x, y, blue)
		}
	}
	fill := func(x0, y0, x1, y1 int) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.Set(x, y, white)
			}
		}
	}
	fill(9, 6, 13, 26)  // the stem
	for i := range 10 { // the arm and the leg
		fill(13+i, 15-i, 17+i, 17-i)
		fill(13+i, 15+i, 17+i, 17+i)
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		panic("web: the icon does not encode: " + err.Error()) // a fixed image: a bug, found by any test
	}
	// Writes into memory, which do not fail.
	var ico bytes.Buffer
	_ = binary.Write(&ico, binary.LittleEndian, [3]uint16{0, 1, 1}) // reserved, type icon, one image
	ico.Write([]byte{size, size, 0, 0})                             // width, height, colours, reserved
	_ = binary.Write(&ico, binary.LittleEndian, [2]uint16{1, 32})   // planes, bits per pixel
	_ = binary.Write(&ico, binary.LittleEndian, [2]uint32{uint32(pngData.Len()), 22})
	ico.Write(pngData.Bytes())
	return ico.Bytes()
}()

func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=604800")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(favicon))
	return nil
}
