// Command benchimages measures the peak resident memory of `kabar run
// --once` over a loopback web whose articles name lead images: good
// JPEGs, decompression bombs (a PNG of a few dozen bytes claiming
// 40000×40000 pixels) and images that answer 404. It prints the peak RSS
// (the process's VmHWM) with images kept and, measured in the same run
// over the same web, with --images=false, as a ratio, and how many posts
// and images each run made.
//
//	go build -o bin/kabar ./cmd/kabar
//	go run ./tools/benchimages -kabar bin/kabar
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline/loopweb"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlite"
	"github.com/kabarnews/kabar/tools/internal/proc"
)

func main() {
	bin := flag.String("kabar", "bin/kabar", "the kabar binary")
	items := flag.Int("items", 200, "articles in the web")
	workers := flag.String("workers", "4", "--workers of the run")
	flag.Parse()
	log.SetFlags(0)
	feeds := 4
	web, err := loopweb.Start(loopweb.Config{Hosts: 4, Feeds: feeds, ItemsPerFeed: (*items + feeds - 1) / feeds, Images: true})
	if err != nil {
		log.Fatal(err)
	}
	defer web.Close()
	kinds := map[int]int{}
	for i := 0; i < web.Articles; i++ {
		kinds[loopweb.ImageKind(i)]++
	}
	fmt.Printf("%d articles: %d good images, %d decompression bombs, %d missing images\n",
		web.Articles, kinds[loopweb.ImageJPEG], kinds[loopweb.ImageBomb], kinds[loopweb.ImageMissing])
	on, posts, imgs, err := peakRSS(*bin, web, *workers, "--images=true")
	if err != nil {
		log.Fatal(err)
	}
	off, offPosts, _, err := peakRSS(*bin, web, *workers, "--images=false")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("images on:  peak RSS %6.1f MiB, %d posts, %d with an image\n", on, posts, imgs)
	fmt.Printf("images off: peak RSS %6.1f MiB, %d posts\n", off, offPosts)
	fmt.Printf("ratio on/off %.2f\n", on/off)
}

func peakRSS(bin string, web *loopweb.Web, workers, images string) (float64, int, int, error) {
	dir, err := os.MkdirTemp("", "benchimages")
	if err != nil {
		return 0, 0, 0, err
	}
	defer func() { _ = os.RemoveAll(dir) }() // leftovers in the temporary folder change no figure
	db := filepath.Join(dir, "kabar.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, u := range web.FeedURLs() {
		if err := st.AddFeed(context.Background(), &model.Feed{URL: u}); err != nil {
			return 0, 0, 0, err
		}
	}
	if err := st.Close(); err != nil {
		return 0, 0, 0, err
	}
	cmd := exec.Command(bin, "--db", db, "run", "--once", "--workers", workers,
		"--allow-addr", "127.0.0.0/8", "--host-delay", "0", images)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	// VmHWM of the child, read until it is gone (see tools/benchbigpages).
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var hwm int64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err := <-done:
			if err != nil {
				return 0, 0, 0, fmt.Errorf("kabar run --once: %v\n%s", err, out.Bytes())
			}
			waiting = false
		case <-tick.C:
			if kb := (proc.PeakRSS(cmd.Process.Pid) >> 10); kb > hwm {
				hwm = kb
			}
		}
	}
	st, err = sqlite.Open(context.Background(), db)
	if err != nil {
		return 0, 0, 0, err
	}
	defer func() { _ = st.Close() }() // only read
	posts, err := st.Posts(context.Background(), store.PostQuery{Limit: 100000})
	if err != nil {
		return 0, 0, 0, err
	}
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	imgs, err := st.PostImages(context.Background(), ids)
	if err != nil {
		return 0, 0, 0, err
	}
	return float64(hwm) / 1024, len(posts), len(imgs), nil
}
