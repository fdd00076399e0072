package extract

import (
	"os"
	"path/filepath"
	"reflect"
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
