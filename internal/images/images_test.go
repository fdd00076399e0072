package images

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/store"
)

var ctx = context.Background()

// Bomb is a valid PNG whose header claims w×h pixels, holding one row of
// data: a few dozen bytes that a decoder would answer by allocating w×h×4.
func Bomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func photo(w, h int) *image.RGBA {
	im := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			im.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return im
}

func encodeJPEG(t *testing.T, im image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, im, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A 40000×40000 PNG of a few dozen bytes is refused by its header, with
// almost nothing allocated: a decoder would have asked for 6.4 GB.
func TestBombRefusedBeforeDecoding(t *testing.T) {
	bomb := Bomb(40000, 40000)
	if len(bomb) > 100 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Process(ctx, bomb, Config{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Process(bomb) = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "40000×40000") {
		t.Errorf("error does not say the size: %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", got)
	}
	// One long side is refused too, although its pixel count is modest.
	if _, err := Process(ctx, Bomb(20000, 10), Config{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("20000×10: %v, want ErrTooLarge", err)
	}
}

func TestNotAnImage(t *testing.T) {
	for name, body := range map[string][]byte{
		"html":      []byte("<!doctype html><html><body>Not found</body></html>"),
		"empty":     nil,
		"svg":       []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`),
		"truncated": encodeJPEG(t, photo(64, 64))[:200],
	} {
		if _, err := Process(ctx, body, Config{}); !errors.Is(err, ErrNotImage) {
			t.Errorf("%s: err = %v, want ErrNotImage", name, err)
		}
	}
	if _, err := Process(ctx, make([]byte, 100), Config{MaxBytes: 50}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("file over MaxBytes: want ErrTooLarge, got %v", err)
	}
}

// A real JPEG comes out at both widths with its aspect ratio, as JPEG,
// with a stable ETag; a small PNG is never enlarged, and its transparent
// pixels are laid on white.
func TestProcessResizes(t *testing.T) {
	t.Run("photo", testProcessPhoto)
	t.Run("small transparent PNG", testProcessSmallPNG)
}

func testProcessPhoto(t *testing.T) {
	src := encodeJPEG(t, photo(1600, 900))
	imgs, err := Process(ctx, src, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 2 || imgs[0].Size != "thumb" || imgs[1].Size != "wide" {
		t.Fatalf("sizes: %+v", imgs)
	}
	for _, im := range imgs {
		dec, err := jpeg.Decode(bytes.NewReader(im.Data))
		if err != nil {
			t.Fatalf("%s: %v", im.Size, err)
		}
		b := dec.Bounds()
		if b.Dx() != im.Width || b.Dy() != im.Height || im.ContentType != "image/jpeg" {
			t.Fatalf("%s: decoded %v, row says %d×%d %s", im.Size, b, im.Width, im.Height, im.ContentType)
		}
	}
	if imgs[0].Width != 400 || imgs[0].Height != 225 || imgs[1].Width != 1200 || imgs[1].Height != 675 {
		t.Fatalf("sizes %d×%d and %d×%d", imgs[0].Width, imgs[0].Height, imgs[1].Width, imgs[1].Height)
	}
	again, err := Process(ctx, src, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if again[1].ETag != imgs[1].ETag || imgs[0].ETag == imgs[1].ETag || !strings.HasPrefix(imgs[0].ETag, `"`) {
		t.Fatalf("etags %s %s %s", imgs[0].ETag, imgs[1].ETag, again[1].ETag)
	}
	// The shrunk image keeps the picture: the left edge is dark red-free,
	// the right edge red.
	dec, err := jpeg.Decode(bytes.NewReader(imgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := dec.At(2, 100).RGBA(); r>>8 > 40 {
		t.Errorf("left edge red = %d", r>>8)
	}
	if r, _, _, _ := dec.At(397, 100).RGBA(); r>>8 < 210 {
		t.Errorf("right edge red = %d", r>>8)
	}
}

func testProcessSmallPNG(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 120, 80)) // fully transparent
	var pb bytes.Buffer
	if err := png.Encode(&pb, transparent); err != nil {
		t.Fatal(err)
	}
	small, err := Process(ctx, pb.Bytes(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if small[0].Width != 120 || small[1].Width != 120 || small[1].Height != 80 {
		t.Fatalf("small image resized to %d×%d", small[1].Width, small[1].Height)
	}
	dec, err := jpeg.Decode(bytes.NewReader(small[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := dec.At(60, 40).RGBA(); r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
		t.Errorf("transparency not on white: %d %d %d", r>>8, g>>8, b>>8)
	}
}

// memImages is an ImageStore in memory for the fetcher tests; the stores
// themselves are tested by storetest.
type memImages map[int64][]store.PostImage

func (m memImages) SavePostImages(_ context.Context, id int64, imgs []store.PostImage) error {
	m[id] = imgs
	return nil
}
func (m memImages) PostImage(context.Context, int64, string) (*store.PostImage, error) {
	return nil, store.ErrNotFound
}
func (m memImages) PostImages(context.Context, []int64) (map[int64][]store.PostImage, error) {
	return m, nil
}

// Save fetches through kabar's fetcher: a 404 and an HTML page are
// errors that store nothing, a real image is stored, in the directory
// when one is set.
func TestSaveThroughFetcher(t *testing.T) {
	jpg := encodeJPEG(t, photo(800, 600))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
		case "/lead.jpg", "/private/lead.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpg)
		case "/page.jpg":
			w.Header().Set("Content-Type", "image/jpeg") // lies
			w.Write([]byte("<html>soft 404</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := fetch.DefaultConfig()
	cfg.HostDelay = 0
	cfg.MaxAttempts = 1
	cfg.AllowAddrs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	client, err := fetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := memImages{}
	m := &Maker{Fetch: client, Store: st}
	if err := m.Save(ctx, 1, srv.URL+"/missing.jpg", ""); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: err = %v", err)
	}
	if err := m.Save(ctx, 2, srv.URL+"/page.jpg", ""); !errors.Is(err, ErrNotImage) {
		t.Fatalf("html as jpeg: err = %v", err)
	}
	if err := m.Save(ctx, 3, srv.URL+"/private/lead.jpg", ""); err == nil {
		t.Fatal("an image robots.txt disallows was fetched")
	}
	if len(st) != 0 {
		t.Fatalf("failures stored images: %v", st)
	}
	if err := m.Save(ctx, 4, srv.URL+"/lead.jpg", ""); err != nil {
		t.Fatal(err)
	}
	if len(st[4]) != 2 || st[4][0].PostID != 4 || len(st[4][1].Data) == 0 {
		t.Fatalf("stored %+v", st[4])
	}

	dir := t.TempDir()
	m.Dir = dir
	if err := m.Save(ctx, 1234, srv.URL+"/lead.jpg", ""); err != nil {
		t.Fatal(err)
	}
	row := st[1234][1]
	if len(row.Data) != 0 {
		t.Fatal("bytes kept in the row with a directory set")
	}
	got, err := Bytes(dir, &row)
	if err != nil || !bytes.Equal(got, st[4][1].Data) {
		t.Fatalf("Bytes from the directory: %d bytes, %v", len(got), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "1")); err != nil {
		t.Fatalf("subdirectory of post 1234: %v", err)
	}
}
