package story

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/model"
)

// A signature made ahead of time is kept only while none of the post's
// paragraphs is boilerplate; then it is the one the index would make.
func TestPresignedSignature(t *testing.T) {
	a := NewAssigner(nil, Config{})
	var report strings.Builder
	for i := range 40 {
		fmt.Fprintf(&report, "The harbour authority said berth %d of the new ferry terminal would open in week %d. ", i, i+3)
	}
	body := []string{
		report.String(),
		"Subscribe to our newsletter for the most important stories of the day, every morning, free of charge.",
	}
	p := a.Prepare(&model.Post{Title: "Ferry terminal to open", Paragraphs: body})
	x := newIndex(a.cfg)
	f := p.f
	fresh := a.cfg.featuresOf(p.Post)
	x.sign(&fresh)
	x.sign(&f)
	if f.sig == nil || fresh.sig == nil || *f.sig != *fresh.sig || !f.presigned {
		t.Fatalf("no boilerplate: presigned %v, signature kept %v", f.presigned, f.sig != nil && fresh.sig != nil && *f.sig == *fresh.sig)
	}
	// The newsletter plea becomes boilerplate: seen in three stories.
	x.paras[f.paras[1].hash] = &paraStat{posts: 3, stories: []int64{1, 2, 3}}
	f = p.f
	fresh = a.cfg.featuresOf(p.Post)
	x.sign(&fresh)
	x.sign(&f)
	if f.presigned || f.sig == nil || *f.sig != *fresh.sig {
		t.Fatalf("boilerplate: presigned %v; the signature is not the index's own", f.presigned)
	}
	if *f.sig == *p.f.sig {
		t.Fatal("leaving the boilerplate out did not change the signature, so the test proved nothing")
	}
}
