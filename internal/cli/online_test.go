package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/gnews/gnewstest"
)

// TestRunOnceResolvesNewFormOnline runs the whole pipeline on a feed whose
// item carries a 2024+ Google News link: kabar asks a fake of Google's two
// endpoints on loopback for the publisher URL, waits while Google answers
// 429, never publishes a Google URL, and asks Google once per ID, ever.
func TestRunOnceResolvesNewFormOnline(t *testing.T) {
	skipIfShort(t, "runs kabar end to end with online resolution")
	google := gnewstest.New(t)
	pub := http.NewServeMux()
	pubSrv := httptest.NewServer(pub)
	defer pubSrv.Close()
	articleURL := pubSrv.URL + "/2026/02/fibra-danhos"
	google.Add(gnewstest.Article{ID: gnewstest.SuccessID, URL: articleURL})
	link := "https://news.google.com/rss/articles/" + gnewstest.SuccessID + "?oc=5"
	pub.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>"fibra" - Google News</title>
<item><title>Fibra Danhos pagará dividendo - El Economista</title><link>%s</link><guid isPermaLink="false">g1</guid>
<pubDate>Tue, 24 Feb 2026 12:00:00 GMT</pubDate><source url="https://www.eleconomista.com.mx">El Economista</source></item>
</channel></rss>`, link)
	})
	pub.HandleFunc("GET /2026/02/fibra-danhos", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="es"><head><title>Fibra Danhos pagará dividendo</title></head><body>
<nav><a href="/">Inicio</a> <a href="/mercados">Mercados</a></nav><article><h1>Fibra Danhos pagará dividendo</h1>
<p>Fibra Danhos informó que pagará un dividendo a sus tenedores de certificados el próximo mes, tras cerrar el año con resultados sólidos.</p>
<p>La empresa dijo que la ocupación de sus centros comerciales y oficinas se mantuvo por encima del noventa por ciento durante el trimestre.</p>
<p>Analistas consultados esperan que la distribución se mantenga estable durante el resto del año, aunque advierten sobre las tasas de interés.</p>
</article></body></html>`)
	})

	db := filepath.Join(t.TempDir(), "k.db")
	mustKabar(t, "--db", db, "feeds", "add", pubSrv.URL+"/feed.xml")
	run := []string{"--db", db, "run", "--once", "--allow-addr", "127.0.0.1/32", "--host-delay", "0s",
		"--gnews-base", google.URL, "--gnews-interval", "0s"}

	google.RateLimit(true, "1")
	out := mustKabar(t, run...)
	if out != "feeds polled 1, items seen 1, posts new 0, failures 0, waiting 1\n" {
		t.Fatalf("rate-limited run: %q", out)
	}
	if list := mustKabar(t, "--db", db, "feeds", "list"); !strings.Contains(list, "0/0/1/0") {
		t.Fatalf("feeds list does not show the waiting item:\n%s", list)
	}
	if n := strings.Count(mustKabar(t, "--db", db, "export", "--format", "json"), "\n"); n != 0 {
		t.Fatalf("an unresolved item was published (%d posts)", n)
	}

	google.RateLimit(false, "")
	time.Sleep(1100 * time.Millisecond) // the Retry-After Google gave
	out = mustKabar(t, run...)
	if out != "feeds polled 1, items seen 1, posts new 1, failures 0\n" {
		t.Fatalf("second run: %q", out)
	}
	export := mustKabar(t, "--db", db, "export", "--format", "seed")
	if !strings.Contains(export, "Fibra Danhos informó") || !strings.Contains(export, link+"\n2026-02-24 12:00:00Z\n"+gnewstest.SuccessID+"\n") {
		t.Fatalf("export:\n%s", export)
	}
	var jsonPost = mustKabar(t, "--db", db, "export", "--format", "json")
	if !strings.Contains(jsonPost, `"source_url":"`+articleURL+`"`) {
		t.Fatalf("post source is not the publisher: %s", jsonPost)
	}
	_, posts := google.Count()
	mustKabar(t, run...)
	if _, again := google.Count(); again != posts {
		t.Fatalf("Google asked again for a resolved ID: %d → %d batchexecute calls", posts, again)
	}
}
