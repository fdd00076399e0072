package sqlshared

import (
	"testing"
	"time"
)

func TestTimeScan(t *testing.T) {
	jakarta := time.FixedZone("WIB", 7*3600)
	want := time.Date(2026, 3, 4, 5, 6, 7, 891000, time.UTC)
	for _, c := range []struct {
		name string
		src  any
		want time.Time
	}{
		{"NULL", nil, time.Time{}},
		{"timestamptz in another zone", want.In(jakarta), want},
		{"SQLite text", "2026-03-04 05:06:07.000891Z", want},
		{"SQLite bytes", []byte("2026-03-04 05:06:07.000891Z"), want},
		{"empty text", "", time.Time{}},
		{"text in another layout", "2026-03-04T05:06:07Z", time.Time{}},
	} {
		tm := Time{Value: time.Now()}
		if err := tm.Scan(c.src); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !tm.Value.Equal(c.want) || tm.Value.Location() != time.UTC {
			t.Errorf("%s: got %v, want %v in UTC", c.name, tm.Value, c.want)
		}
	}
	var tm Time
	if err := tm.Scan(int64(5)); err == nil {
		t.Error("an integer scanned as a time without an error")
	}
}

func TestWithExtra(t *testing.T) {
	var got []any
	r := scanFunc(func(dest ...any) error { got = dest; return nil })
	var a, b, c int
	if err := (WithExtra{Scanner: r, Extra: []any{&b, &c}}).Scan(&a); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != &a || got[1] != &b || got[2] != &c {
		t.Errorf("scanned into %v, want the model's column then the extra ones", got)
	}
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
