package cli

import (
	"fmt"
	"strconv"

	"github.com/kabarnews/kabar/internal/images"
	"github.com/kabarnews/kabar/internal/pipeline"
	"github.com/kabarnews/kabar/internal/store"
)

// Posts' lead images: kept by the workers, served by the site. Both sides
// read the same two options, so that a site with images off neither
// fetches nor shows them.
var (
	optImages = register(option{"images", "KABAR_IMAGES", "true",
		"keep each post's lead image (fetched once, re-encoded, served from the site itself) and show it; false: no images"})
	optImageDir = register(option{"image-dir", "KABAR_IMAGE_DIR", "",
		"keep the images' bytes in files under this directory instead of the database (every process of the site must see it)"})
)

// imageOptions are listed by the commands that keep or serve images.
var imageOptions = []string{optImages, optImageDir}

// imagesOn reads --images.
func (f *flags) imagesOn() (bool, error) {
	on, err := strconv.ParseBool(f.opt(optImages))
	if err != nil {
		return false, fmt.Errorf("%w: --%s: want true or false", errUsage, optImages)
	}
	return on, nil
}

// withImages lets a pipeline keep posts' lead images unless --images=false.
func withImages(f *flags, p *pipeline.Pipeline, st store.ImageStore, fetcher images.Fetcher) error {
	on, err := f.imagesOn()
	if err != nil || !on {
		return err
	}
	p.Images = &images.Maker{Fetch: fetcher, Store: st, Dir: f.opt(optImageDir)}
	return nil
}
