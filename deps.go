//go:build tools

package tools

import (
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/abadojack/whatlanggo"
	_ "github.com/microcosm-cc/bluemonday"
	_ "github.com/mmcdole/gofeed"
	_ "github.com/nlnwa/gowarc"
	_ "github.com/riverqueue/river"
	_ "github.com/riverqueue/river/riverdriver/riversqlite"
	_ "github.com/temoto/robotstxt"
	_ "golang.org/x/net/html"
	_ "golang.org/x/text/encoding"
	_ "google.golang.org/protobuf/encoding/protowire"
	_ "modernc.org/sqlite"
	_ "github.com/chromedp/chromedp"
)
