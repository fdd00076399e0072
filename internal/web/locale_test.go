package web

import (
	"regexp"
	"testing"
	"testing/fstest"
	"time"
)

func TestLocalesLoad(t *testing.T) {
	locs, err := loadLocales(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"en", "id"} {
		if locs[tag] == nil {
			t.Errorf("no %s locale", tag)
		}
	}
}

// Every key a template asks for must exist, or the page would show the key.
func TestTemplateKeysExist(t *testing.T) {
	locs, err := loadLocales(files)
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.T "([^"]+)"`)
	pages, err := files.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, page := range pages {
		src, err := files.ReadFile("templates/" + page.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			n++
			if _, ok := locs["en"].msgs[m[1]]; !ok {
				t.Errorf("%s uses missing key %q", page.Name(), m[1])
			}
		}
	}
	if n < 10 {
		t.Errorf("found only %d keys in templates; is the pattern stale?", n)
	}
}

func TestDates(t *testing.T) {
	locs, err := loadLocales(files)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"en", seedTime, "November 9, 2021 3:45 PM"},
		{"id", seedTime, "9 November 2021 15.45"},
		{"en", time.Date(2024, 1, 31, 0, 5, 0, 0, time.UTC), "January 31, 2024 12:05 AM"},
		{"id", time.Date(2024, 1, 31, 0, 5, 0, 0, time.UTC), "31 Januari 2024 00.05"},
	}
	for _, c := range cases {
		if got := locs[c.lang].Date(c.t); got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, got, c.want)
		}
	}
	months := []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
		"Agustus", "September", "Oktober", "November", "Desember"}
	for i, name := range months {
		want := "1 " + name + " 2022 09.00"
		if got := locs["id"].Date(time.Date(2022, time.Month(i+1), 1, 9, 0, 0, 0, time.UTC)); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

func TestLoadLocalesRejectsMissingKeys(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"date.layout":"2006","a":"A",` + monthsJSON + `}`)},
		"locales/id.json": {Data: []byte(`{"date.layout":"2006",` + monthsJSON + `}`)},
	}
	if _, err := loadLocales(fsys); err == nil {
		t.Error("locales with different keys were accepted")
	}
}

const monthsJSON = `"month.1":"1","month.2":"2","month.3":"3","month.4":"4","month.5":"5","month.6":"6",` +
	`"month.7":"7","month.8":"8","month.9":"9","month.10":"10","month.11":"11","month.12":"12"`
