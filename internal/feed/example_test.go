package feed_test

import (
	"fmt"
	"os"

	"github.com/kabarnews/kabar/internal/feed"
)

func ExampleParse() {
	body, err := os.ReadFile("testdata/seed-feed.xml")
	if err != nil {
		panic(err)
	}
	p, err := feed.Parse(body, "https://news.google.com/rss/search?q=belarus+poland&hl=en-GB&gl=GB&ceid=GB:en")
	if err != nil {
		panic(err)
	}
	it := p.Items[0]
	fmt.Println(p.Title)
	fmt.Println(it.Title)
	fmt.Println(it.Publisher, it.PublisherURL)
	fmt.Println(it.Published.Format("2006-01-02 15:04:05Z"))
	fmt.Println(it.ArticleID[:24] + "…")
	// Output:
	// "belarus poland" - Google News
	// Germany urges EU unity amid growing tensions as migrants camp on Poland-Belarus border
	// Sky News https://news.sky.com
	// 2021-11-09 15:45:00Z
	// CBMiemh0dHBzOi8vbmV3cy5z…
}
