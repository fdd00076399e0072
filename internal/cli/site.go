package cli

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/web"
)

// newSite builds the site from the command's options; run and serve share it.
func newSite(st store.Store, f *flags) (http.Handler, error) {
	loc, err := time.LoadLocation(f.get(optTZ))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", optTZ, err)
	}
	return web.New(st, web.Config{Lang: f.get(optLang), Location: loc, Logger: f.logger()})
}
