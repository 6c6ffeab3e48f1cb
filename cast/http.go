package cast

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// maxAnswer caps what is read of one description or SOAP answer: a renderer's are a few
// KiB (gmediarender's description is 2 KiB, a position answer with DIDL-Lite under 10 KiB).
const maxAnswer = 1 << 20

// requestTimeout bounds one request to a renderer, body included; a renderer that
// accepts the connection and then says nothing must not hold a cast forever. Tests shorten it.
var requestTimeout = 10 * time.Second

// newHTTPClient is the client for everything said to renderers: goupnp would otherwise use
// http.DefaultClient, with no timeout and no limit on what it reads.
func newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // renderers are on the local network; a proxy cannot reach them
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = requestTimeout
	// libupnp (gmediarender, many TVs) closes a connection after an answer without saying
	// so; reusing it fails the next action with EOF, and POSTs are not retried.
	tr.DisableKeepAlives = true
	return &http.Client{Timeout: requestTimeout, Transport: cappedTransport{tr}}
}

// cappedTransport makes every answer's body fail once it exceeds maxAnswer.
type cappedTransport struct{ http.RoundTripper }

func (t cappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: maxAnswer, host: r.URL.Host}
	return resp, nil
}

type cappedBody struct {
	io.ReadCloser
	left int64
	host string
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("the answer from %s is larger than %d KiB, more than any renderer sends", b.host, maxAnswer>>10)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
