package gnews

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// The batchexecute protocol as Google News' web client speaks it for
// article links (the "Fbv4je" RPC, request "garturlreq", answer
// "garturlres"). Nothing here is documented by Google: the shapes are the
// ones public decoders have used since 2024-08-28 (see docs/gnews.md and the
// research notes in the fixtures).

const (
	// rpcID is the batchexecute RPC that maps an article ID to its URL.
	rpcID = "Fbv4je"
	// batchexecutePath is the endpoint, relative to the Google News base URL.
	batchexecutePath = "/_/DotsSplashUi/data/batchexecute"
	// envelopeSingle is the envelope tag of a request with one call; a
	// batch tags its calls "1", "2", …
	envelopeSingle = "generic"
	// replyPrefix is the anti-JSON-hijacking line every reply starts with.
	replyPrefix = ")]}'"
)

// Locale is the edition a request speaks for: hl (interface language), gl
// (country) and ceid (country:edition language). Google accepts any plausible
// values; the reply does not depend on them.
type Locale struct {
	HL, GL, CEID string
}

// DefaultLocale is used when neither the link nor the Resolver says.
var DefaultLocale = Locale{HL: "en-US", GL: "US", CEID: "US:en"}

// call is one garturlreq: an article ID with the signature and timestamp
// its article page carried.
type call struct {
	id     string
	ts     int64
	sig    string
	locale Locale
}

// innerRequest is the JSON text of one garturlreq call:
//
//	["garturlreq",[[hl,gl,["X","X"],null,null,1,1,ceid,null,1,null,null,null,null,null,0,1],
//	 hl,gl,1,[1,1,1],1,1,null,0,0,null,0],"<ID>",<ts>,"<sig>"]
func innerRequest(c call) ([]byte, error) {
	l := c.locale
	ctx := []any{
		[]any{l.HL, l.GL, []any{"X", "X"}, nil, nil, 1, 1, l.CEID, nil, 1, nil, nil, nil, nil, nil, 0, 1},
		l.HL, l.GL, 1, []any{1, 1, 1}, 1, 1, nil, 0, 0, nil, 0,
	}
	return marshalJSON([]any{"garturlreq", ctx, c.id, c.ts, c.sig})
}

// requestBody is the form body of one POST: f.req=[[[rpc, inner, null, tag], …]].
// One call is tagged "generic"; several are tagged "1", "2", … in order.
func requestBody(calls []call) ([]byte, error) {
	envs := make([]any, 0, len(calls))
	for i, c := range calls {
		inner, err := innerRequest(c)
		if err != nil {
			return nil, err
		}
		envs = append(envs, []any{rpcID, string(inner), nil, envelopeTag(i, len(calls))})
	}
	freq, err := marshalJSON([]any{envs})
	if err != nil {
		return nil, err
	}
	return []byte(url.Values{"f.req": {string(freq)}}.Encode()), nil
}

func envelopeTag(i, n int) string {
	if n == 1 {
		return envelopeSingle
	}
	return strconv.Itoa(i + 1)
}

func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// answer is one Fbv4je envelope of a reply.
type answer struct {
	tag string // element 6: "generic", "1", "2"…, or "" (some replies)
	// hasPayload: element 2 was a JSON string (the garturlres array as text).
	hasPayload bool
	payload    string
	// errCode is element 5 as JSON text when it is not null (e.g. "[3]").
	errCode string
}

// maxReplyValues bounds the JSON values parseReply reads (chunk lengths and
// chunks); real replies have a handful.
const maxReplyValues = 1000

// parseReply reads a batchexecute reply: the ")]}'" line, then either one
// JSON array of rows or length-prefixed chunks ("<len>\n[[…]]\n<len>\n…").
// Chunk lengths are JSON numbers, so the whole rest is read as a stream of
// JSON values and only arrays are looked at. It returns the
// ["wrb.fr","Fbv4je",…] rows in order. Text is never cut with a pattern:
// each level is JSON-decoded, so escapes such as \u003d and \/ come out
// right.
func parseReply(body []byte) ([]answer, error) {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if bytes.HasPrefix(b, []byte(replyPrefix)) {
		b = b[len(replyPrefix):]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		} else {
			b = nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []answer
	var sawArray bool
	for n := 0; n < maxReplyValues; n++ {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if sawArray {
				break // keep what came before a truncated or garbled tail
			}
			return nil, fmt.Errorf("not a batchexecute reply: %v", err)
		}
		v = bytes.TrimSpace(v)
		if len(v) == 0 || v[0] != '[' {
			continue // a chunk length
		}
		sawArray = true
		var rows []json.RawMessage
		if json.Unmarshal(v, &rows) != nil {
			continue
		}
		for _, row := range rows {
			if a, ok := parseEnvelope(row); ok {
				out = append(out, a)
			}
		}
	}
	if !sawArray {
		return nil, errors.New("not a batchexecute reply: no JSON array")
	}
	return out, nil
}

// parseEnvelope reads ["wrb.fr","Fbv4je",payload,null,null,err,tag].
func parseEnvelope(row json.RawMessage) (answer, bool) {
	var cols []json.RawMessage
	if json.Unmarshal(row, &cols) != nil || len(cols) < 3 {
		return answer{}, false
	}
	var kind, rpc string
	if json.Unmarshal(cols[0], &kind) != nil || kind != "wrb.fr" ||
		json.Unmarshal(cols[1], &rpc) != nil || rpc != rpcID {
		return answer{}, false
	}
	var a answer
	var p *string
	if json.Unmarshal(cols[2], &p) == nil && p != nil {
		a.hasPayload, a.payload = true, *p
	}
	if len(cols) > 5 {
		if e := bytes.TrimSpace(cols[5]); len(e) > 0 && !bytes.Equal(e, []byte("null")) {
			a.errCode = abbrev(string(e), 80)
		}
	}
	if len(cols) > 6 {
		var tag string
		if json.Unmarshal(cols[6], &tag) == nil {
			a.tag = tag
		}
	}
	return a, true
}

// garturlres is the decoded payload of a successful envelope.
type garturlres struct {
	url, amp string
}

// parsePayload decodes the payload string, ["garturlres","<URL>",1] or
// ["garturlres","<URL>",1,"<AMP URL>"]. ok is false when the payload is not a
// garturlres array at all (an unknown answer); a garturlres array whose URL is
// missing, null or empty gives ok with an empty url.
func parsePayload(s string) (res garturlres, ok bool) {
	var cols []json.RawMessage
	if json.Unmarshal([]byte(s), &cols) != nil || len(cols) == 0 {
		return res, false
	}
	var name string
	if json.Unmarshal(cols[0], &name) != nil || name != "garturlres" {
		return res, false
	}
	if len(cols) > 1 {
		var u *string
		if json.Unmarshal(cols[1], &u) == nil && u != nil {
			res.url = strings.TrimSpace(*u)
		}
	}
	if len(cols) > 3 {
		var a *string
		if json.Unmarshal(cols[3], &a) == nil && a != nil {
			res.amp = strings.TrimSpace(*a)
		}
	}
	return res, true
}
