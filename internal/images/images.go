// Package images keeps posts' lead images on the site's own origin: a
// post's image is fetched once through kabar's fetcher (its address guard,
// robots.txt, per-host pace and size cap), checked, decoded and re-encoded
// as JPEG in a few widths, and stored. Readers' browsers then load the
// image from the site, never from the publisher.
//
// Decoding untrusted images is where the danger lies: a PNG of a few
// kilobytes may claim 40000×40000 pixels and make a decoder allocate
// gigabytes. Process therefore reads the header alone first
// (image.DecodeConfig) and refuses an image over Config.MaxPixels or
// Config.MaxSide before any pixel is decoded, and decodes one image at a
// time per process, so that the largest image allowed bounds the memory
// images take.
package images

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	// The formats kabar decodes: the standard library's JPEG, PNG and GIF
	// and x/image's WebP (decoding only, pure Go).
	_ "image/gif"
	_ "image/png"

	_ "golang.org/x/image/webp"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/store"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrTooLarge is an image whose header claims more pixels (or a longer
	// side) than allowed, or whose file is over Config.MaxBytes: refused
	// before its pixels are decoded.
	ErrTooLarge = errors.New("image too large")
	// ErrNotImage is a body that is not a JPEG, PNG, GIF or WebP image.
	ErrNotImage = errors.New("not an image kabar decodes")
)

// Size is one width kabar keeps of every image.
type Size struct {
	Name  string
	Width int
}

// The sizes the site shows: a thumbnail in listings, a wide one on the
// post's page and in link previews.
var (
	Thumb = Size{"thumb", 400}
	Wide  = Size{"wide", 1200}
)

// Config bounds what Process accepts and says what it makes.
type Config struct {
	// MaxPixels and MaxSide refuse an image by its header (default 16
	// megapixels, 12000 pixels). A decoded image takes 1.5 to 4 bytes a
	// pixel, so 16 megapixels is at most 64 MiB: news lead images are
	// rarely above 12 megapixels.
	MaxPixels int
	MaxSide   int
	// MaxBytes refuses a larger file (default 8 MiB); the fetcher's own
	// cap applies before it.
	MaxBytes int
	Sizes    []Size // default Thumb, Wide
	Quality  int    // JPEG quality, default 80
}

func (c Config) withDefaults() Config {
	if c.MaxPixels <= 0 {
		c.MaxPixels = 16_000_000
	}
	if c.MaxSide <= 0 {
		c.MaxSide = 12000
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 8 << 20
	}
	if len(c.Sizes) == 0 {
		c.Sizes = []Size{Thumb, Wide}
	}
	if c.Quality <= 0 || c.Quality > 100 {
		c.Quality = 80
	}
	return c
}

// decodeSlot lets one image be decoded at a time in a process: with
// several workers, decoding at once would multiply the largest image's
// memory by their number.
var decodeSlot = make(chan struct{}, 1)

// Process checks an image file and re-encodes it to every size of cfg (an
// image narrower than a size is kept at its own width, never enlarged).
// Transparent pixels are laid on white, as JPEG has no alpha. The result's
// PostID is unset.
func Process(ctx context.Context, data []byte, cfg Config) ([]store.PostImage, error) {
	cfg = cfg.withDefaults()
	if len(data) > cfg.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(data), cfg.MaxBytes)
	}
	switch ct := http.DetectContentType(data); ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
	default:
		return nil, fmt.Errorf("%w: content is %s", ErrNotImage, ct)
	}
	// The header alone: a decompression bomb is refused here, having cost
	// a few bytes of reading.
	hdr, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if hdr.Width <= 0 || hdr.Height <= 0 {
		return nil, fmt.Errorf("%w: %s of %d×%d pixels", ErrNotImage, format, hdr.Width, hdr.Height)
	}
	if hdr.Width > cfg.MaxSide || hdr.Height > cfg.MaxSide || hdr.Width*hdr.Height > cfg.MaxPixels {
		return nil, fmt.Errorf("%w: %s of %d×%d pixels (limit %d pixels, %d a side)",
			ErrTooLarge, format, hdr.Width, hdr.Height, cfg.MaxPixels, cfg.MaxSide)
	}
	select {
	case decodeSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-decodeSlot }()
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	out := make([]store.PostImage, 0, len(cfg.Sizes))
	for _, sz := range cfg.Sizes {
		dst := Shrink(src, sz.Width)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: cfg.Quality}); err != nil {
			return nil, fmt.Errorf("encode %s: %w", sz.Name, err)
		}
		b := dst.Bounds()
		out = append(out, store.PostImage{Size: sz.Name, ContentType: "image/jpeg", Width: b.Dx(), Height: b.Dy(),
			ETag: etag(buf.Bytes()), Data: buf.Bytes(), Length: buf.Len()})
	}
	return out, nil
}

func etag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// Shrink scales src down to width pixels wide (keeping its aspect ratio;
// never up) by averaging the source pixels that fall into each
// destination pixel, laying transparency on white. Averaging is the right
// filter for shrinking (no aliasing) and needs no memory beyond the
// result and one row of sums, where x/image/draw's kernels keep a float
// buffer of destination width × source height.
func Shrink(src image.Image, width int) *image.RGBA {
	sb := src.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	if width <= 0 || width > sw {
		width = sw
	}
	height := max(1, (sh*width+sw/2)/sw)
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	read := rowReader(src)
	row := make([]uint8, 3*sw)
	sums := make([]uint32, 3*width)
	counts := make([]uint32, width)
	// col[x] is the destination column of source column x.
	col := make([]int32, sw)
	for x := range col {
		col[x] = int32(x * width / sw)
	}
	y0 := 0
	for dy := 0; dy < height; dy++ {
		y1 := max((dy+1)*sh/height, y0+1)
		clear(sums)
		clear(counts)
		for sy := y0; sy < y1 && sy < sh; sy++ {
			read(sb.Min.Y+sy, row)
			for x := 0; x < sw; x++ {
				c := col[x]
				sums[3*c] += uint32(row[3*x])
				sums[3*c+1] += uint32(row[3*x+1])
				sums[3*c+2] += uint32(row[3*x+2])
				counts[c]++
			}
		}
		y0 = y1
		pix := dst.Pix[dy*dst.Stride:]
		for x := 0; x < width; x++ {
			n := counts[x]
			if n == 0 {
				n = 1
			}
			pix[4*x] = uint8((sums[3*x] + n/2) / n)
			pix[4*x+1] = uint8((sums[3*x+1] + n/2) / n)
			pix[4*x+2] = uint8((sums[3*x+2] + n/2) / n)
			pix[4*x+3] = 0xff
		}
	}
	return dst
}

// rowReader returns a function that writes row y of src into out as RGB
// triples on white. The common decoded types are read directly; others
// through the color model, which is slower but right.
func rowReader(src image.Image) func(y int, out []uint8) {
	b := src.Bounds()
	switch im := src.(type) {
	case *image.YCbCr:
		return func(y int, out []uint8) {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := im.YOffset(x, y), im.COffset(x, y)
				r, g, bl := color.YCbCrToRGB(im.Y[yi], im.Cb[ci], im.Cr[ci])
				i := 3 * (x - b.Min.X)
				out[i], out[i+1], out[i+2] = r, g, bl
			}
		}
	case *image.NRGBA:
		return func(y int, out []uint8) {
			p := im.Pix[im.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				a := uint32(p[4*x+3])
				for k := 0; k < 3; k++ {
					out[3*x+k] = uint8((uint32(p[4*x+k])*a + 255*(255-a) + 127) / 255)
				}
			}
		}
	case *image.RGBA:
		return func(y int, out []uint8) {
			p := im.Pix[im.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				a := p[4*x+3]
				for k := 0; k < 3; k++ {
					out[3*x+k] = p[4*x+k] + (255 - a) // premultiplied: add white's share
				}
			}
		}
	case *image.Gray:
		return func(y int, out []uint8) {
			p := im.Pix[im.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				out[3*x], out[3*x+1], out[3*x+2] = p[x], p[x], p[x]
			}
		}
	}
	return func(y int, out []uint8) {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := src.At(x, y).RGBA() // premultiplied, 16 bits
			w := 0xffff - a
			i := 3 * (x - b.Min.X)
			out[i], out[i+1], out[i+2] = uint8((r+w)>>8), uint8((g+w)>>8), uint8((bl+w)>>8)
		}
	}
}

// Fetcher is the part of fetch.Client images use.
type Fetcher interface {
	Do(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

const accept = "image/webp,image/jpeg,image/png,image/gif;q=0.9,image/*;q=0.5"

// Maker fetches, checks, re-encodes and stores posts' lead images.
type Maker struct {
	Fetch  Fetcher
	Store  store.ImageStore
	Config Config
	// Dir, when set, keeps the images' bytes in files under it instead of
	// the database (whose rows still say each image's size and ETag).
	Dir string
}

// Save makes and stores the image at imageURL for a post. proxy is the
// post's feed's proxy ("" for none), as for its page.
func (m *Maker) Save(ctx context.Context, postID int64, imageURL, proxy string) error {
	resp, err := m.Fetch.Do(ctx, fetch.Request{URL: imageURL, Accept: accept, Proxy: proxy, MaxAttempts: 2})
	if err != nil {
		return err
	}
	imgs, err := Process(ctx, resp.Body, m.Config)
	if err != nil {
		return fmt.Errorf("image %s: %w", imageURL, err)
	}
	for i := range imgs {
		imgs[i].PostID = postID
		if m.Dir != "" {
			if err := writeFile(m.Dir, &imgs[i]); err != nil {
				return err
			}
			imgs[i].Data = nil
		}
	}
	return m.Store.SavePostImages(ctx, postID, imgs)
}

// path is where an image's bytes live under dir: named by post, size and
// ETag (a new image never overwrites one being served), a thousand posts
// to a subdirectory.
func path(dir string, im *store.PostImage) string {
	tag := im.ETag
	if len(tag) >= 2 && tag[0] == '"' {
		tag = tag[1 : len(tag)-1]
	}
	return filepath.Join(dir, strconv.FormatInt(im.PostID/1000, 10),
		strconv.FormatInt(im.PostID, 10)+"-"+im.Size+"-"+tag+".jpg")
}

func writeFile(dir string, im *store.PostImage) error {
	p := path(dir, im)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("image directory: %w", err)
	}
	// Written whole under a temporary name first, so that a reader never
	// gets half a file.
	tmp, err := os.CreateTemp(filepath.Dir(p), ".img-*")
	if err != nil {
		return fmt.Errorf("image directory: %w", err)
	}
	_, werr := tmp.Write(im.Data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name()) // best effort: the error above is the one to report
		return fmt.Errorf("image directory: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		_ = os.Remove(tmp.Name()) // best effort: the error above is the one to report
		return fmt.Errorf("image directory: %w", err)
	}
	return nil
}

// Bytes are an image's bytes: from its row, or from dir when the row
// keeps none.
func Bytes(dir string, im *store.PostImage) ([]byte, error) {
	if len(im.Data) > 0 || dir == "" {
		return im.Data, nil
	}
	return os.ReadFile(path(dir, im))
}
