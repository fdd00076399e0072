package gnews_test

import (
	"errors"
	"fmt"

	"github.com/kabarnews/kabar/internal/gnews"
)

func ExampleDecode() {
	link := "https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?oc=5"
	d, err := gnews.Decode(link)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Kind, d.URL)
	// Output: old https://www.mdr.de/video/mdr-videos/a/video-779952.html
}

func ExampleDecode_newForm() {
	// A 2024+ ID holds an opaque token: only Google can resolve it.
	_, err := gnews.Decode("https://news.google.com/rss/articles/CBMiYEFVX3lxTFBMcVB3NWlUaTRPSHFqUTBmR3AxdlU5dW5jT0YyTTJVOWhhYTU2bkZUOXZuSlN1cVZPWlZqUFVxLUp4dEJFVGxEdmQ0X2dydkhOQWVUMlRjQnhrNjc5NUphdNIBeEFVX3lxTFA1R3lLQ1dOOFhMdTJiN2FqVy1nbWRHTDZyTUpuRGpVRlRWT1J4YzMyc1l4aUVnZVM4T1hlZEp0d1hELXZENDd5eS1xMWswajlaLVR4N1pUaUc5UC0tR3BZZC1Cc0VtVnRRZXl0V0k0RERsYlI4M0pwdQ?oc=5")
	fmt.Println(errors.Is(err, gnews.ErrNewForm))
	// Output: true
}

func ExampleArticleID() {
	id, ok := gnews.ArticleID("https://consent.google.com/m?continue=https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?oc%3D5&gl=DE&m=0&pc=n&hl=en-US&src=1")
	fmt.Println(id, ok)
	// Output: CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA true
}

func ExampleSearchFeed() {
	// Indonesian edition; Brazil's edition language differs from hl.
	id, _ := gnews.NewEdition("id", "ID", "")
	u, _ := gnews.SearchFeed(`"banjir" when:1d`, id)
	fmt.Println(u)
	br, _ := gnews.NewEdition("pt-BR", "", "")
	u, _ = gnews.TopicFeed("WORLD", br)
	fmt.Println(u)
	// Output:
	// https://news.google.com/rss/search?q=%22banjir%22+when%3A1d&hl=id&gl=ID&ceid=ID:id
	// https://news.google.com/rss/headlines/section/topic/WORLD?hl=pt-BR&gl=BR&ceid=BR:pt-419
}

func ExampleRetryable() {
	// What a pipeline does with a resolution error.
	err := error(&gnews.ResolveError{Err: gnews.ErrNoURL})
	retry, notBefore := gnews.Retryable(err)
	fmt.Println(retry, notBefore.IsZero())
	// Output: false true
}
