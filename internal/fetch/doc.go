// Package fetch is kabar's one outbound HTTP client. Every feed, page,
// robots.txt and redirect goes through a Client; nothing else in kabar
// opens connections.
//
// What a Client does for each Get/Do:
//
//   - URL rules: http and https only; IDNA hosts converted to ASCII; hosts
//     whose last label is numeric ("2130706433", "0x7f.1", "127.0.0.1.")
//     refused, since resolvers disagree on what they mean; "localhost" and
//     "*.localhost" treated as loopback.
//   - Private-network guard: a host's DNS answers are all checked before
//     dialing (any refused answer fails the fetch: mixed answers fail
//     closed), and a net.Dialer Control hook checks the address actually
//     connected to, on every redirect hop, so a rebinding answer at dial time
//     is refused too. Refused: loopback, RFC 1918, link-local, CGNAT,
//     multicast, unspecified, reserved and documentation ranges, IPv6
//     outside 2000::/3, ULA, Teredo, 6to4, and IPv4-mapped or NAT64
//     addresses embedding any of those; Config.AllowAddrs and
//     Config.AllowAddrPorts open exceptions.
//   - Proxies (proxy.go): Request.Proxy (per feed) or, with
//     Config.ProxyFromEnvironment, HTTP_PROXY/HTTPS_PROXY/NO_PROXY. The
//     proxy's own address is trusted operator configuration; the target's
//     name is resolved and every answer checked by the guard before the
//     request is handed to the proxy (the proxy's own lookup is out of
//     kabar's sight: the documented trade-off).
//   - robots.txt, fetched once per origin and cached (a day; five minutes
//     for failures), matched for the token RobotsAgent ("kabar") by kabar's
//     own RFC 9309 matcher (see robots.go for why not temoto/robotstxt).
//     4xx (but 429) or missing: allow all. 5xx, 429, unreachable: disallow
//     for now (ErrDisallowed with ErrRobotsUnavailable). Every redirect hop
//     is checked. Crawl-delay is honoured up to Config.MaxCrawlDelay.
//   - Politeness: one request at a time per host, and Config.Pacer (by
//     default pace.NewMem(Config.HostDelay)) spacing request starts per host,
//     or the host's Crawl-delay when longer (a DelayPacer is given it). The
//     robots.txt fetch counts as a request. Pacer documents how a
//     database-backed one shares the pace between processes.
//   - Retries (retry.go): up to Config.MaxAttempts tries per Do for
//     temporary failures (IsTemporary: network errors, timeouts, slow drip,
//     408, 429, 5xx), full-jitter exponential backoff or the server's
//     Retry-After (up to Config.MaxRetryAfter; a longer one returns at once
//     and pauses the host). A per-host circuit breaker opens after
//     Config.BreakerThreshold failures in a row and fails fast with
//     ErrCircuitOpen for Config.BreakerCooldown, then lets one probe
//     through. RetryAfter(err) tells the scheduler how long to wait.
//   - Caps: Config.Timeout per request (one hop, headers and body),
//     Config.HeaderTimeout and Config.MaxHeaderBytes for the headers,
//     Config.MinBytesPerSecond over Config.SlowWindow for the body (the
//     slow-drip rule, ErrTooSlow), Config.MaxBodyBytes after decompression
//     (a gzip or brotli bomb stops at the cap), Config.MaxRedirects with
//     loop detection (cookies set during a redirect chain are kept for that
//     chain, so a cookie-check redirect to the same URL is not a loop).
//   - Content: gzip, deflate and br decoded (zstd is not: no decoder is
//     among kabar's dependencies, and kabar never asks for it); text types
//     converted to UTF-8 (BOM, HTTP charset, XML declaration or HTML
//     <meta>, then UTF-8 or windows-1252; a legacy charset claimed for a
//     body that is valid UTF-8 is overruled), with an XML declaration
//     rewritten to encoding="UTF-8". (A page's <link rel="amphtml"> for the
//     AMP fallback is read by the extractor: model.Article.AMPURL.)
//   - WARC: with Config.Record every response received (robots.txt,
//     redirects and errors included; raw body as received) is appended to a
//     .warc.gz, one gzip member per record. With Config.Replay requests are
//     answered from an archive read at New (kabar's own, wget's, warcio's,
//     per-record or whole-file gzip, or plain); nothing is sent, there is no
//     pacing, no retry and no breaker, and a robots.txt missing from the
//     archive allows all.
//
// docs/fetch.md describes the policy and every setting for operators.
package fetch
