package cli

import (
	"fmt"
	"strconv"

	"github.com/kabarnews/kabar/internal/fetch"
)

// The fetch policy settings an operator may change; docs/fetch.md says what
// each one does. Empty values keep the fetcher's defaults.
var (
	optUserAgent = register(option{"user-agent", "KABAR_USER_AGENT", "",
		"User-Agent of every request (default: kabar with its contact URL)"})
	optFetchTimeout = register(option{"fetch-timeout", "KABAR_FETCH_TIMEOUT", "",
		"time limit of one request, body included (default 30s)"})
	optMaxBody = register(option{"max-body", "KABAR_MAX_BODY", "",
		"largest body accepted after decompression, in bytes (default 10 MiB)"})
	optFetchAttempts = register(option{"fetch-attempts", "KABAR_FETCH_ATTEMPTS", "",
		"attempts per request on network errors, 5xx and 429 (default 3)"})
	optProxyEnv = register(option{"proxy-from-env", "KABAR_PROXY_FROM_ENV", "false",
		"send requests through HTTP_PROXY/HTTPS_PROXY, except NO_PROXY hosts"})
	optIgnoreRobots = register(option{"ignore-robots", "KABAR_IGNORE_ROBOTS", "false",
		"do not read robots.txt (only for sites whose owner agreed)"})
)

var fetchOpts = []string{optUserAgent, optFetchTimeout, optMaxBody, optFetchAttempts, optProxyEnv, optIgnoreRobots}

// applyFetchOptions copies the fetch settings that the command has and that
// are set into cfg.
func applyFetchOptions(f *flags, cfg *fetch.Config) error {
	has := func(n string) bool { _, ok := f.vals[n]; return ok && f.get(n) != "" }
	var err error
	if has(optUserAgent) {
		cfg.UserAgent = f.get(optUserAgent)
	}
	if has(optFetchTimeout) {
		if cfg.Timeout, err = f.duration(optFetchTimeout); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	if has(optMaxBody) {
		if cfg.MaxBodyBytes, err = strconv.ParseInt(f.get(optMaxBody), 10, 64); err != nil || cfg.MaxBodyBytes <= 0 {
			return fmt.Errorf("%w: --%s must be a positive number of bytes", errUsage, optMaxBody)
		}
	}
	if has(optFetchAttempts) {
		if cfg.MaxAttempts, err = strconv.Atoi(f.get(optFetchAttempts)); err != nil || cfg.MaxAttempts < 1 {
			return fmt.Errorf("%w: --%s must be a positive number", errUsage, optFetchAttempts)
		}
	}
	if has(optProxyEnv) {
		if cfg.ProxyFromEnvironment, err = strconv.ParseBool(f.get(optProxyEnv)); err != nil {
			return fmt.Errorf("%w: --%s: %v", errUsage, optProxyEnv, err)
		}
	}
	if has(optIgnoreRobots) {
		if cfg.IgnoreRobots, err = strconv.ParseBool(f.get(optIgnoreRobots)); err != nil {
			return fmt.Errorf("%w: --%s: %v", errUsage, optIgnoreRobots, err)
		}
	}
	return nil
}
