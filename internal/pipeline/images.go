package pipeline

import (
	"context"
	"net/url"
)

// LeadImages fetches, checks and stores a post's lead image;
// *images.Maker satisfies it.
type LeadImages interface {
	Save(ctx context.Context, postID int64, imageURL, proxy string) error
}

// leadImage keeps a new post's lead image, in the job that made the post
// and after the post is saved: the image is fetched once, and a post whose
// image fails (a 404, a bomb, not an image) stays published without one.
func (p *Pipeline) leadImage(ctx context.Context, postID, feedID int64, imageURL string) {
	if p.Images == nil || imageURL == "" || ctx.Err() != nil {
		return
	}
	if u, err := url.Parse(imageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	if err := p.Images.Save(ctx, postID, imageURL, p.feedProxy(ctx, feedID)); err != nil {
		p.Log.Info("post published without its image", "post", postID, "err", err)
	}
}
