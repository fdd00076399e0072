package cli

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/store"
)

// fitStore stands for a PostgreSQL store that reports its buffers.
type fitStore struct {
	store.Store
	shared, hot int64
	err         error
}

func (s *fitStore) BufferFit(context.Context) (int64, int64, error) { return s.shared, s.hot, s.err }

// The owner is told when shared_buffers cannot hold what the site reads,
// with both sizes, and not otherwise; a store without buffers says nothing.
func TestAdviseBuffers(t *testing.T) {
	for _, c := range []struct {
		st   store.Store
		want []string // what the line holds; none: no line
	}{
		{&fitStore{shared: 128 << 20, hot: 744 << 20}, []string{"shared_buffers is smaller than the tables the site reads", "shared_buffers_mb=128 tables_mb=744"}},
		{&fitStore{shared: 1 << 30, hot: 744 << 20}, nil},
		{&fitStore{err: errors.New("permission denied")}, []string{"could not read shared_buffers", `err="permission denied"`}},
		{&rankCacheStore{}, nil},
	} {
		var out bytes.Buffer
		log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
				return slog.Attr{}
			}
			return a
		}}))
		adviseBuffers(context.Background(), &backend{Store: c.st}, log)
		got := out.String()
		if c.want == nil && got != "" {
			t.Errorf("%+v: logged %q, want nothing", c.st, got)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: logged %q, want %q in it", c.st, got, w)
			}
		}
	}
}
