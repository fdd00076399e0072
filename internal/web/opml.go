package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// The feeds page's OPML export: every subscription as an OPML 2.0 outline,
// for moving to or from another reader. (Import reads OPML with the feed
// package's parser.)

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    struct {
		Title       string `xml:"title"`
		DateCreated string `xml:"dateCreated"`
	} `xml:"head"`
	Body struct {
		Outlines []opmlOutline `xml:"outline"`
	} `xml:"body"`
}

type opmlOutline struct {
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr,omitempty"`
	Type     string `xml:"type,attr"`
	XMLURL   string `xml:"xmlUrl,attr"`
	Category string `xml:"category,attr,omitempty"`
}

func (s *Server) handleAdminOPML(w http.ResponseWriter, r *http.Request, p *adminPage) {
	ctx := r.Context()
	feeds, err := s.st.Feeds(ctx)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	doc := opmlDoc{Version: "2.0"}
	doc.Head.Title = p.SiteTitle
	doc.Head.DateCreated = s.cfg.Now().UTC().Format(time.RFC1123Z)
	for _, f := range feeds {
		o := opmlOutline{Text: f.URL, Type: "rss", XMLURL: f.URL}
		if f.Title != "" {
			o.Text = p.LabelName(model.Label{Name: f.Title, Kind: model.LabelFeed})
			o.Title = f.Title
		}
		if opts := s.cache.feedOptions(ctx, f.ID); opts.Topic != "" {
			o.Category = opts.Topic
		}
		doc.Body.Outlines = append(doc.Body.Outlines, o)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="kabar-feeds.opml"`)
	w.Write(buf.Bytes())
}
