package main

import (
	"net/url"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 || xs[1] != 1 {
		t.Errorf("median sorted its argument: %v", xs)
	}
}

// The fill's connection setting must reach the server as a parameter of
// the URL, beside what the URL had.
func TestWithParam(t *testing.T) {
	got, err := withParam("postgres://postgres@127.0.0.1:5432/kabar_bench_stories_10000?sslmode=disable", "synchronous_commit", "off")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("sslmode") != "disable" || q.Get("synchronous_commit") != "off" || u.Path != "/kabar_bench_stories_10000" {
		t.Errorf("withParam: %s", got)
	}
	o := speedOpts{pg: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"}
	if got, err := o.pgURL("kabar_bench_stories_run"); err != nil || got != "postgres://postgres@127.0.0.1:5432/kabar_bench_stories_run?sslmode=disable" {
		t.Errorf("pgURL = %q, %v", got, err)
	}
}
