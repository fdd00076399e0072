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
