//go:build tools

// Modules that packages being written now will import; this file keeps them
// in go.mod until they do, and goes away then.
package tools

import (
	_ "github.com/andybalholm/brotli"
	_ "github.com/chromedp/chromedp"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/riverqueue/river/riverdriver/riverpgxv5"
)
