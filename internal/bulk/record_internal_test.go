package bulk

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// responseBody must give what reading the response's body gives (leniently:
// a body shorter than its Content-Length is what was stored), whether it
// slices the block or reads it.
func TestResponseBodyAsRead(t *testing.T) {
	cases := []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>no length</p>",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n<p>longer than said</p>",
		"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<p>shorter than said</p>",
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n<p>ignored</p>",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<p>ch\r\n6\r\nunked!\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\nContent-Type: text/html\n\nbare newlines",
		"HTTP/1.1 200 OK\r\n\r\n",
	}
	for _, c := range cases {
		block := []byte(c)
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(block)), nil)
		if err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		want, err := io.ReadAll(resp.Body)
		if err != nil && err != io.ErrUnexpectedEOF {
			t.Fatalf("%q: %v", c, err)
		}
		br := bytes.NewReader(block)
		hr := bufio.NewReader(br)
		resp, err = http.ReadResponse(hr, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := responseBody(resp, block, len(block)-br.Len()-hr.Buffered())
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("%q: body %q (ok %v), want %q", c, got, ok, want)
		}
	}
}
