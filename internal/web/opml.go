package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/feed"
	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
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

func (s *Server) handleAdminOPML(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	ctx := r.Context()
	feeds, err := s.st.Feeds(ctx)
	if err != nil {
		return err
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
		return err
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="kabar-feeds.opml"`)
	w.Write(buf.Bytes())
	return nil
}

// maxOPMLUpload bounds the import form's body, the file included: a
// reader's export of a few hundred feeds is well under it.
const maxOPMLUpload = 1 << 20

// adminUpload guards a multipart admin form the way adminPost guards the
// others: the cross-origin check, the body capped, the CSRF token (403),
// then the session. A body over the cap is answered with the feeds page
// saying so (413), nothing read from it.
func (s *Server) adminUpload(h adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cop.Check(r) != nil {
			s.renderError(w, r, http.StatusForbidden, "forbidden")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxOPMLUpload)
		// The whole body fits the memory bound, so no part goes to a
		// temporary file.
		perr := r.ParseMultipartForm(maxOPMLUpload)
		if perr == nil {
			// Nothing went to a temporary file (above), so nothing can fail to go.
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
		var tooBig *http.MaxBytesError
		tooLarge := errors.As(perr, &tooBig)
		switch {
		case perr != nil && !tooLarge:
			s.renderError(w, r, http.StatusBadRequest, "bad_request")
			return
		case perr == nil:
			if ok := s.validCSRF(r); !ok {
				s.renderError(w, r, http.StatusForbidden, "forbidden")
				return
			}
		}
		u, err := s.sessionUser(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u == nil {
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		p := s.newAdminPage(w, r, u)
		if tooLarge {
			// Nothing was read or changed, so the token unread does not
			// matter: the owner is told why, on the page.
			p.Error = p.T("admin.feeds.import_too_large")
			if err := s.renderAdminFeeds(w, r, p, http.StatusRequestEntityTooLarge); err != nil {
				s.fail(w, r, err)
			}
			return
		}
		if err := h(w, r, p); err != nil {
			s.fail(w, r, err)
		}
	}
}

// handleAdminImportOPML subscribes to every feed of an uploaded OPML file,
// as `kabar feeds import` does: folders become the feeds' topic label, a
// feed already there is kept as it is (it gets the file's folder as topic
// when it has none), so importing twice adds nothing. Addresses are kept
// exactly (a Google News feed keeps its edition); a feed the fetcher would
// never fetch is refused, as the add-feed form refuses it. The page then
// says how many feeds were added, already there and refused.
func (s *Server) handleAdminImportOPML(w http.ResponseWriter, r *http.Request, p *adminPage) error {
	refuse := func(key string) error {
		p.Error = p.T(key)
		return s.renderAdminFeeds(w, r, p, http.StatusUnprocessableEntity)
	}
	file, _, err := r.FormFile("opml")
	if err != nil {
		return refuse("admin.feeds.import_no_file")
	}
	raw, err := io.ReadAll(file)
	_ = file.Close() // a part held in memory
	if err != nil {
		return err
	}
	_, feeds, err := feed.ParseOPML(raw)
	if err != nil {
		return refuse("admin.feeds.import_not_opml")
	}
	ctx := r.Context()
	existing, err := s.st.Feeds(ctx)
	if err != nil {
		return err
	}
	byURL := make(map[string]int64, len(existing))
	for _, f := range existing {
		byURL[f.URL] = f.ID
	}
	var added, kept int
	var refused []string
	defer s.cache.invalidate()
	for _, of := range feeds {
		id, ok := byURL[of.URL]
		if !ok {
			if !validFeedURL(of.URL) || s.refusedFeedURL(of.URL) != nil {
				refused = append(refused, of.URL)
				continue
			}
			f := &model.Feed{URL: of.URL}
			err := s.st.AddFeed(ctx, f)
			switch {
			case errors.Is(err, store.ErrExists): // added meanwhile by the pipeline or another form
				kept++
				continue
			case err != nil:
				return err
			}
			id = f.ID
			byURL[of.URL] = id
			added++
		} else {
			kept++
		}
		if of.Category == "" {
			continue
		}
		opts, err := s.st.FeedOptions(ctx, id)
		if err != nil {
			return err
		}
		if opts.Topic == "" {
			opts.FeedID, opts.Topic = id, cut(cleanLine(of.Category), 80) // the topic field's bound
			if err := s.st.SetFeedOptions(ctx, opts); err != nil {
				return err
			}
		}
	}
	s.cache.invalidate()
	p.Notice = strings.NewReplacer("{added}", p.Num(added), "{kept}", p.Num(kept), "{refused}", p.Num(len(refused))).
		Replace(p.T("admin.feeds.imported"))
	if len(refused) > 0 {
		const shown = 10
		list := refused[:min(len(refused), shown)]
		p.Error = p.loc.Format("admin.feeds.import_refused", strings.Join(list, ", "))
	}
	return s.renderAdminFeeds(w, r, p, http.StatusOK)
}
