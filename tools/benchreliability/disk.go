package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/pipeline/loopweb"
)

// runDisk puts kabar's SQLite database on a small tmpfs, runs kabar until
// the file system is full, checks that /readyz says so, then gives the
// file system room and checks that a rerun loses nothing.
func runDisk(c *config) []*row {
	r := &row{scenario: "full disk", store: "SQLite"}
	if os.Geteuid() != 0 {
		r.skipped = "needs root to mount a small tmpfs"
		fmt.Println("   full disk: skipped, not running as root (a small tmpfs must be mounted)")
		return []*row{r}
	}
	startT := time.Now()
	defer func() { r.took = time.Since(startT) }()
	ctx := context.Background()
	mnt := filepath.Join(c.tmp, "disk")
	mkdir(mnt)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", c.diskSize), "tmpfs", mnt).CombinedOutput(); err != nil {
		r.skipped = fmt.Sprintf("mount tmpfs: %v %s", err, out)
		return []*row{r}
	}
	defer func() { _ = exec.Command("umount", "-l", mnt).Run() }() // a lazy unmount of the suite's own tmpfs; the rows are already counted
	feeds := 10
	web, err := loopweb.Start(loopweb.Config{Hosts: 4, Feeds: feeds, ItemsPerFeed: (c.diskItems + feeds - 1) / feeds})
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	defer web.Close()
	db := filepath.Join(mnt, "kabar.db")
	if err := addFeeds(ctx, db, web.FeedURLs()); err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	logs := filepath.Join(c.tmp, "disk-logs")
	mkdir(logs)
	addr := freeAddr()
	p, err := start(c, filepath.Join(logs, "run.log"), nil, "--db", db, "run", "--addr", addr, "--allow-addr", "127.0.0.0/8",
		"--host-delay", "0", "--retention", "0", "--gnews-online=false")
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	full, saw503, fullChecks, fullSince := watchFull(p, mnt, "http://"+addr+"/readyz")
	r.tried = web.Items
	if !full {
		r.fail("the %d MiB file system never filled; raise -disk-items", c.diskSize)
	} else if !saw503 {
		r.fail("/readyz never answered 503 while the disk was full (%d checks over %s)", fullChecks, time.Since(fullSince).Round(time.Second))
	}
	fullFor := time.Duration(0)
	if full {
		fullFor = time.Since(fullSince)
	}
	p.stop(40 * time.Second)
	if bad, why := p.crashed(); bad {
		r.fail("kabar run crashed on the full disk: %s", why)
	}
	r.rss(p.peakRSS())
	// Room again, then a rerun.
	if out, err := exec.Command("mount", "-o", "remount,size=512m", mnt).CombinedOutput(); err != nil {
		r.fail("remount: %v %s", err, out)
		return []*row{r}
	}
	fin, err := start(c, filepath.Join(logs, "final.log"), nil, "--db", db, "run", "--once", "--allow-addr", "127.0.0.0/8",
		"--host-delay", "0", "--gnews-online=false")
	if err != nil {
		r.fail("%v", err)
		return []*row{r}
	}
	if fin.wait(c.finalRunBound) {
		r.fail("the rerun did not end within %s (killed)", c.finalRunBound)
	} else if fin.exitCode() != 0 {
		r.fail("the rerun exited %d: %s", fin.exitCode(), fin.lastLine())
	}
	if bad, why := fin.crashed(); bad {
		r.fail("the rerun crashed: %s", why)
	}
	r.rss(fin.peakRSS())
	// A rerun retries an item that failed for want of room; one still
	// failed after it has lost its post.
	lost, failed, dup, _, why, err := account(ctx, db, web.Items)
	if err != nil {
		r.fail("counting: %v", err)
		return []*row{r}
	}
	r.lost, r.dup = lost+failed, dup
	for _, w := range why {
		r.reason("%s", w)
	}
	for _, pr := range checkDB(db, false) {
		r.fail("%s", pr)
	}
	if full {
		r.note("disk full for %s while kabar ran; /readyz 503 seen: %v", fullFor.Round(time.Second), saw503)
	}
	return []*row{r}
}

// addFeeds subscribes the store at db to urls.
func addFeeds(ctx context.Context, db string, urls []string) error {
	st, _, err := openQuerier(ctx, db)
	if err != nil {
		return err
	}
	for _, u := range urls {
		if err = st.AddFeed(ctx, &model.Feed{URL: u}); err != nil {
			break
		}
	}
	return closeAfterWrite(st, err)
}

// watchFull watches the file system at mnt for up to 3 minutes while p
// runs: whether it filled, whether readyz answered 503 while it was, in
// how many checks, and since when it was full (15 s of it is enough to
// see what kabar does with it).
func watchFull(p *proc, mnt, readyz string) (full, saw503 bool, fullChecks int, fullSince time.Time) {
	client := &http.Client{Timeout: 5 * time.Second}
	status := func() int {
		res, err := client.Get(readyz)
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, res.Body) // read to its end so the connection is reused; only the status counts
		res.Body.Close()
		return res.StatusCode
	}
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		select {
		case <-p.done:
			return full, saw503, fullChecks, fullSince
		default:
		}
		var fs syscall.Statfs_t
		if syscall.Statfs(mnt, &fs) != nil || int64(fs.Bavail)*int64(fs.Bsize) >= 128<<10 {
			continue
		}
		if !full {
			full, fullSince = true, time.Now()
		}
		fullChecks++
		if status() == http.StatusServiceUnavailable {
			saw503 = true
		}
		if time.Since(fullSince) > 15*time.Second {
			return full, saw503, fullChecks, fullSince
		}
	}
	return full, saw503, fullChecks, fullSince
}
