package extract

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A small page is parsed as it is, not through slim's copy: the article
// must be the same either way.
func TestSmallPageParsedDirectly(t *testing.T) {
	files, err := filepath.Glob("testdata/*.html")
	if err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Glob("testdata/golden/*.html")
	files = append(files, golden...)
	if len(files) < 10 {
		t.Fatalf("only %d test pages", len(files))
	}
	defer func(v int) { slimFrom = v }(slimFrom)
	for _, f := range files {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 128<<10 {
			continue
		}
		slimFrom = 128 << 10
		direct, err1 := Extract(page, "https://example.com/news/story")
		slimFrom = 0
		slimmed, err2 := Extract(page, "https://example.com/news/story")
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(direct, slimmed) {
			t.Errorf("%s: parsed directly %+v (%v), through slim %+v (%v)", f, direct, err1, slimmed, err2)
		}
	}
}

// A large page of few elements (its bytes mostly a script) is parsed
// directly too, and must give the article slim's copy gives.
func TestLargePageOfFewTagsParsedDirectly(t *testing.T) {
	files, err := filepath.Glob("testdata/*.html")
	if err != nil {
		t.Fatal(err)
	}
	pad := "<script>var state = " + strings.Repeat(`{"k":"v","html":"\\u003cdiv\\u003e"},`, 8000) + "0;</script>"
	compared := 0
	defer func(v int) { slimFrom = v }(slimFrom)
	for _, f := range files {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(string(page), "</head>")
		if i < 0 || len(page) > 128<<10 {
			continue
		}
		big := []byte(string(page[:i]) + pad + string(page[i:]))
		slimFrom = 128 << 10
		if !parseDirectly(big) {
			t.Fatalf("%s: a page of %d bytes and few tags is not parsed directly", f, len(big))
		}
		direct, err1 := Extract(big, "https://example.com/news/story")
		slimFrom = 0
		slimmed, err2 := Extract(big, "https://example.com/news/story")
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(direct, slimmed) {
			t.Errorf("%s: parsed directly %+v (%v), through slim %+v (%v)", f, direct, err1, slimmed, err2)
		}
		compared++
	}
	if compared < 5 {
		t.Fatalf("only %d pages compared", compared)
	}
	slimFrom = 128 << 10
	if parseDirectly([]byte(strings.Repeat("<td>1</td>", 20_000))) {
		t.Error("a page of 40 000 tags is parsed directly")
	}
}
