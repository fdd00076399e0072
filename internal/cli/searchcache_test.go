package cli

import (
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/store"
)

// rankCacheStore stands for a store that keeps ranking fields.
type rankCacheStore struct {
	store.Store
	bytes int
}

func (s *rankCacheStore) SetRankCacheBytes(n int) { s.bytes = n }

// --search-cache-mb reaches the store behind the backend, in bytes; a
// wrong value is named.
func TestSearchCacheOption(t *testing.T) {
	for _, c := range []struct {
		val     string
		bytes   int
		wantErr string
	}{
		{"64", 64 << 20, ""},
		{"0", 0, ""},
		{"-1", -7, `--search-cache-mb "-1": want a number of megabytes`},
		{"lots", -7, "want a number of megabytes, 0 or more"},
	} {
		st := &rankCacheStore{bytes: -7}
		v := c.val
		err := setSearchCache(&backend{Store: st}, &flags{vals: map[string]*string{optSearchCache: &v}})
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("--search-cache-mb %s: error %v; want %q", c.val, err, c.wantErr)
			}
		} else if err != nil {
			t.Errorf("--search-cache-mb %s: %v", c.val, err)
		}
		if st.bytes != c.bytes {
			t.Errorf("--search-cache-mb %s: the store was given %d bytes; want %d", c.val, st.bytes, c.bytes)
		}
	}
}
