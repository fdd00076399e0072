package sqlshared

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
)

// ItemCols are the columns ScanItem reads, in its order.
const ItemCols = `id, feed_id, guid, link, title, publisher, publisher_url, published,
	description, article_id, source_url, amp_url, status, error, attempts,
	COALESCE(post_id, 0), created_at, updated_at, next_attempt_at, related, story_url`

// ScanItem reads the ItemCols of a row.
func ScanItem(r Scanner) (*model.Item, error) {
	var it model.Item
	var published, created, updated, next Time
	var related string
	err := r.Scan(&it.ID, &it.FeedID, &it.GUID, &it.Link, &it.Title, &it.Publisher,
		&it.PublisherURL, &published, &it.Description, &it.ArticleID, &it.SourceURL,
		&it.AMPURL, &it.Status, &it.Error, &it.Attempts, &it.PostID, &created, &updated,
		&next, &related, &it.StoryURL)
	if err != nil {
		return nil, err
	}
	it.Published, it.CreatedAt, it.UpdatedAt = published.Value, created.Value, updated.Value
	it.NextAttemptAt = next.Value
	if related != "" {
		if err := json.Unmarshal([]byte(related), &it.Related); err != nil {
			return nil, fmt.Errorf("item %d: related links: %w", it.ID, err)
		}
	}
	return &it, nil
}

// PostCols are the columns ScanPost reads, in its order.
const PostCols = `id, COALESCE(feed_id, 0), COALESCE(item_id, 0), slug, title, author, publisher,
	source_url, amp_url, item_link, article_id, published, language, image, description,
	body, content_hash, created_at, truncated`

// ScanPost reads the PostCols of a row. The body is kept as its paragraphs
// joined by newlines.
func ScanPost(r Scanner) (*model.Post, error) {
	var p model.Post
	var published, created Time
	var body string
	err := r.Scan(&p.ID, &p.FeedID, &p.ItemID, &p.Slug, &p.Title, &p.Author, &p.Publisher,
		&p.SourceURL, &p.AMPURL, &p.ItemLink, &p.ArticleID, &published, &p.Language, &p.Image,
		&p.Description, &body, &p.ContentHash, &created, &p.Truncated)
	if err != nil {
		return nil, err
	}
	p.Published, p.CreatedAt = published.Value, created.Value
	if body != "" {
		p.Paragraphs = strings.Split(body, "\n")
	}
	return &p, nil
}

// FeedCols are the columns ScanFeed reads, in its order.
const FeedCols = `id, url, title, etag, last_modified, last_polled_at, next_poll_at,
	poll_interval_s, error_count, last_error, paused, created_at, disabled_reason, proxy,
	last_changed_at`

// ScanFeed reads the FeedCols of a row; the poll interval is kept in
// seconds.
func ScanFeed(r Scanner) (*model.Feed, error) {
	var f model.Feed
	var polled, next, created, changed Time
	var interval int64
	err := r.Scan(&f.ID, &f.URL, &f.Title, &f.ETag, &f.LastModified, &polled, &next,
		&interval, &f.ErrorCount, &f.LastError, &f.Paused, &created, &f.DisabledReason, &f.Proxy, &changed)
	if err != nil {
		return nil, err
	}
	f.LastPolledAt, f.NextPollAt, f.CreatedAt = polled.Value, next.Value, created.Value
	f.LastChangedAt = changed.Value
	f.PollInterval = time.Duration(interval) * time.Second
	return &f, nil
}

// ResolutionCols are the columns ScanResolution reads, in its order.
const ResolutionCols = `article_id, url, amp_url, error, permanent, attempts, retry_after, resolved_at`

// ScanResolution reads the ResolutionCols of a row.
func ScanResolution(r Scanner) (*model.Resolution, error) {
	var res model.Resolution
	var retry, resolved Time
	err := r.Scan(&res.ArticleID, &res.URL, &res.AMPURL, &res.Error, &res.Permanent, &res.Attempts, &retry, &resolved)
	if err != nil {
		return nil, err
	}
	res.RetryAfter, res.ResolvedAt = retry.Value, resolved.Value
	return &res, nil
}

// CommentCols are the columns ScanComment reads, in its order.
const CommentCols = `id, post_id, COALESCE(parent_id, 0), name, website, body, status, created_at`

// ScanComment reads the CommentCols of a row.
func ScanComment(r Scanner) (*model.Comment, error) {
	var c model.Comment
	var created Time
	if err := r.Scan(&c.ID, &c.PostID, &c.ParentID, &c.Name, &c.Website, &c.Body, &c.Status, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = created.Value
	return &c, nil
}

// UserCols are the columns ScanUser reads, in its order.
const UserCols = `id, name, password_hash, created_at`

// ScanUser reads the UserCols of a row.
func ScanUser(r Scanner) (*model.User, error) {
	var u model.User
	var created Time
	if err := r.Scan(&u.ID, &u.Name, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = created.Value
	return &u, nil
}

// TokenCols are the columns ScanToken reads, in its order.
const TokenCols = `id, user_id, name, token_hash, created_at, last_used`

// ScanToken reads the TokenCols of a row.
func ScanToken(r Scanner) (*model.APIToken, error) {
	var t model.APIToken
	var created, used Time
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsed = created.Value, used.Value
	return &t, nil
}

// Value is a scan's result by value, for collectors that keep values
// (pgx.CollectRows).
func Value[T any](p *T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return *p, nil
}

// OldPathCols are the columns ScanOldPath reads of an old address joined to
// its post (p) and blog page (g), in its order.
const OldPathCols = `p.year, p.month, p.slug, g.slug`

// ScanOldPath reads the OldPathCols of a row as the site path the old
// address leads to: the page's when it names one, else the post's.
func ScanOldPath(r Scanner) (string, error) {
	var year, month *int64
	var slug, page *string
	if err := r.Scan(&year, &month, &slug, &page); err != nil {
		return "", err
	}
	if page != nil {
		return "/p/" + *page + ".html", nil
	}
	return fmt.Sprintf("/%04d/%02d/%s.html", orZero(year), orZero(month), orZero(slug)), nil
}

func orZero[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
