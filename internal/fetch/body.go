package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

// dripWatch counts the bytes read through it and, every window, cancels
// the hop (cause ErrTooSlow) when fewer than min arrived in that window:
// the slow-drip rule. The check runs on a timer, so a Read blocked on a
// silent server is cut too.
type dripWatch struct {
	r       io.Reader
	n       atomic.Int64
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
}

// dripMin is the least a window must bring.
func dripMin(rate int64, window time.Duration) int64 {
	m := int64(float64(rate) * window.Seconds())
	if m < 1 {
		m = 1
	}
	return m
}

func watchDrip(r io.Reader, rate int64, window time.Duration, cancel context.CancelCauseFunc) *dripWatch {
	w := &dripWatch{r: r}
	min := dripMin(rate, window)
	var last int64
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t = time.AfterFunc(window, func() {
		n := w.n.Load()
		if n-last < min {
			cancel(ErrTooSlow)
			return
		}
		last = n
		w.mu.Lock()
		if !w.stopped {
			w.t.Reset(window)
		}
		w.mu.Unlock()
	})
	return w
}

func (w *dripWatch) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.n.Add(int64(n))
	return n, err
}

func (w *dripWatch) stop() {
	w.mu.Lock()
	w.stopped = true
	w.t.Stop()
	w.mu.Unlock()
}

// readCapped reads r up to limit bytes. exceeded reports that r had more.
func readCapped(r io.Reader, limit int64) (b []byte, exceeded bool, err error) {
	b, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, err
	}
	return b, false, err
}

// decodeContent undoes the Content-Encoding of a body (gzip, x-gzip,
// deflate, br, identity; several in a row), reading at most limit decoded
// bytes: a gzip or brotli bomb stops at the cap with exceeded set, having
// used memory for the cap only (plus brotli's window, at most 16 MiB: the
// large-window extension is not accepted). decoded reports whether
// any decoding was done.
func decodeContent(header http.Header, body []byte, limit int64) (out []byte, decoded, exceeded bool, err error) {
	var codings []string
	for _, v := range header.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			c = strings.ToLower(strings.TrimSpace(c))
			if c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	out = body
	if int64(len(out)) > limit {
		return out[:limit], false, true, nil
	}
	// Codings are listed in the order applied: undo them last first.
	for i := len(codings) - 1; i >= 0; i-- {
		var next []byte
		next, exceeded, err = decodeOne(codings[i], out, limit)
		if err != nil {
			return nil, decoded, false, err
		}
		out, decoded = next, true
		if exceeded {
			return out, decoded, true, nil
		}
	}
	return out, decoded, false, nil
}

func decodeOne(coding string, in []byte, limit int64) ([]byte, bool, error) {
	switch coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(in))
		if err != nil {
			if looksUnencoded(in) {
				// Labelled gzip but sent (or archived) plain.
				return in, false, nil
			}
			return nil, false, fmt.Errorf("gzip body: %w", err)
		}
		out, exceeded, err := readCapped(zr, limit)
		if err != nil && !exceeded {
			// Trailing garbage after a complete member is common; a
			// truncated stream is not accepted.
			if errors.Is(err, gzip.ErrHeader) && len(out) > 0 {
				return out, false, nil
			}
			return nil, false, fmt.Errorf("gzip body: %w", err)
		}
		return out, exceeded, nil
	case "deflate":
		// "deflate" means zlib-wrapped; some servers send raw deflate.
		var r io.Reader
		if zr, err := zlib.NewReader(bytes.NewReader(in)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(in))
		}
		out, exceeded, err := readCapped(r, limit)
		if err != nil && !exceeded {
			if looksUnencoded(in) {
				return in, false, nil
			}
			return nil, false, fmt.Errorf("deflate body: %w", err)
		}
		return out, exceeded, nil
	case "br":
		out, exceeded, err := readCapped(brotli.NewReader(bytes.NewReader(in)), limit)
		if err != nil && !exceeded {
			if looksUnencoded(in) {
				return in, false, nil
			}
			return nil, false, fmt.Errorf("brotli body: %w", err)
		}
		return out, exceeded, nil
	}
	// zstd (and compress, and anything else) has no decoder among kabar's
	// dependencies; kabar never asks for them, so they only come from
	// misbehaving servers or from archives made by browsers.
	return nil, false, fmt.Errorf("%w: %q", ErrUnsupportedEncoding, coding)
}

// looksUnencoded reports whether a body labelled compressed starts like
// text (markup or JSON), i.e. was stored or sent already decoded.
func looksUnencoded(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && (b[0] == '<' || b[0] == '{' || b[0] == '[')
}
