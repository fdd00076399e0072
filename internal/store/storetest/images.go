package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kabarnews/kabar/internal/store"
)

func init() {
	register("PostImagesReplaceListAndServe", testPostImages)
}

// A post's images are saved as a set (a second save replaces the first),
// listed without their bytes for pages, read one size with its bytes for
// serving, and refused for a post that does not exist.
func testPostImages(t *testing.T, s store.Store) {
	f := mustFeed(t, s, "https://example.com/img.xml")
	a := post(mustItem(t, s, f.ID, "img-a"), "https://publisher.example/img-a", "ia")
	b := post(mustItem(t, s, f.ID, "img-b"), "https://publisher.example/img-b", "ib")
	if _, err := s.SavePost(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePost(ctx, b); err != nil {
		t.Fatal(err)
	}
	thumb := bytes.Repeat([]byte{0xff, 0xd8, 1}, 100)
	wide := bytes.Repeat([]byte{0xff, 0xd8, 2}, 1000)
	first := []store.PostImage{
		{Size: "thumb", ContentType: "image/jpeg", Width: 400, Height: 225, ETag: `"t1"`, Data: thumb},
		{Size: "wide", ContentType: "image/jpeg", Width: 1200, Height: 675, ETag: `"w1"`, Data: wide},
	}
	if err := s.SavePostImages(ctx, a.ID, first); err != nil {
		t.Fatal(err)
	}
	t.Run("OneSizeWithItsBytes", func(t *testing.T) { checkPostImage(t, s, a.ID, b.ID, wide) })
	t.Run("SecondSaveReplaces", func(t *testing.T) { checkImagesReplaced(t, s, a.ID, thumb[:10]) })
	t.Run("ListedWithoutBytes", func(t *testing.T) { checkImagesListed(t, s, a.ID, b.ID) })
	if err := s.SavePostImages(ctx, 999999, first); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("images of a missing post: err = %v, want ErrNotFound", err)
	}
}

func checkPostImage(t *testing.T, s store.Store, a, b int64, wide []byte) {
	got, err := s.PostImage(ctx, a, "wide")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data, wide) || got.Width != 1200 || got.Height != 675 || got.ETag != `"w1"` ||
		got.ContentType != "image/jpeg" || got.CreatedAt.IsZero() || got.Length != len(wide) {
		t.Fatalf("PostImage(wide) = %+v (%d bytes)", got, len(got.Data))
	}
	if _, err := s.PostImage(ctx, b, "wide"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("image of a post without one: err = %v, want ErrNotFound", err)
	}
	if _, err := s.PostImage(ctx, a, "huge"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown size: err = %v, want ErrNotFound", err)
	}
}

// checkImagesReplaced saves a's images again (a post extracted again):
// the new set replaces the old, a size left out is gone.
func checkImagesReplaced(t *testing.T, s store.Store, a int64, thumb []byte) {
	if err := s.SavePostImages(ctx, a, []store.PostImage{
		{Size: "thumb", ContentType: "image/jpeg", Width: 400, Height: 300, ETag: `"t2"`, Data: thumb},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostImage(ctx, a, "wide"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("size left out of the second save: err = %v, want ErrNotFound", err)
	}
}

// checkImagesListed lists a's replaced thumb and b's, whose bytes are kept
// elsewhere (a directory): the row still says the image.
func checkImagesListed(t *testing.T, s store.Store, a, b int64) {
	if err := s.SavePostImages(ctx, b, []store.PostImage{
		{Size: "thumb", ContentType: "image/jpeg", Width: 400, Height: 200, ETag: `"t3"`, Length: 777},
	}); err != nil {
		t.Fatal(err)
	}
	list, err := s.PostImages(ctx, []int64{a, b, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || len(list[a]) != 1 || len(list[b]) != 1 {
		t.Fatalf("PostImages = %+v", list)
	}
	if ia, ib := list[a][0], list[b][0]; ia.ETag != `"t2"` || ia.Height != 300 || ia.Data != nil || ia.Length != 10 ||
		ib.ETag != `"t3"` || ib.Length != 777 {
		t.Fatalf("PostImages = %+v", list)
	}
	if got, err := s.PostImage(ctx, b, "thumb"); err != nil || len(got.Data) != 0 || got.Width != 400 {
		t.Fatalf("image kept elsewhere: %+v, %v", got, err)
	}
	if empty, err := s.PostImages(ctx, nil); err != nil || len(empty) != 0 {
		t.Fatalf("PostImages(nil) = %v, %v", empty, err)
	}
}
