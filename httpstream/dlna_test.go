package httpstream

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// features parses a DLNA 4th field ("DLNA.ORG_OP=01;DLNA.ORG_CI=0;DLNA.ORG_FLAGS=...").
func features(t *testing.T, v string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, kv := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("contentFeatures %q: %q is not NAME=VALUE", v, kv)
		}
		out[k] = val
	}
	return out
}

// primaryFlags checks DLNA.ORG_FLAGS' form (32 hex digits, the last 24 reserved zeros;
// guidelines 7.4.1.3.24) and returns the primary flags.
func primaryFlags(t *testing.T, f map[string]string) uint32 {
	t.Helper()
	v := f["DLNA.ORG_FLAGS"]
	if len(v) != 32 || strings.Trim(v[8:], "0") != "" {
		t.Fatalf("DLNA.ORG_FLAGS %q: want 8 hex digits of flags and 24 zeros", v)
	}
	n, err := strconv.ParseUint(v[:8], 16, 32)
	if err != nil {
		t.Fatalf("DLNA.ORG_FLAGS %q: %v", v, err)
	}
	return uint32(n)
}

// The answers TVs check before they play (DLNA guidelines 7.4.26 contentFeatures, 7.4.49
// transferMode, 7.4.40 TimeSeekRange), for GET and for HEAD, which must carry the same
// headers without a body.
func TestDLNAHeadersOfTheFilm(t *testing.T) {
	t.Parallel()
	srv, ss, data := localServer(t, Options{Token: true})
	u := srv.URL + ss.Path()
	dlna := map[string]string{"getcontentFeatures.dlna.org": "1", "transferMode.dlna.org": "Streaming"}
	get, body := request(t, http.MethodGet, u, dlna)
	head, headBody := request(t, http.MethodHead, u, dlna)
	for _, c := range []struct {
		method string
		resp   *http.Response
		body   string
		want   string
	}{{"GET", get, body, string(data)}, {"HEAD", head, headBody, ""}} {
		h := c.resp.Header
		if c.resp.StatusCode != http.StatusOK || c.body != c.want {
			t.Fatalf("%s: status %d, %d bytes of body; want 200 and %d", c.method, c.resp.StatusCode, len(c.body), len(c.want))
		}
		if h.Get("Content-Length") != strconv.Itoa(len(data)) || h.Get("Accept-Ranges") != "bytes" || h.Get("Content-Type") != "video/x-matroska" {
			t.Errorf("%s: Content-Length %q, Accept-Ranges %q, Content-Type %q", c.method, h.Get("Content-Length"), h.Get("Accept-Ranges"), h.Get("Content-Type"))
		}
		if h.Get("transferMode.dlna.org") != "Streaming" {
			t.Errorf("%s: transferMode.dlna.org %q, want the Streaming asked for", c.method, h.Get("transferMode.dlna.org"))
		}
		cf := h.Get("contentFeatures.dlna.org")
		if cf != ContentFeatures {
			t.Errorf("%s: contentFeatures.dlna.org %q, want %q as announced in DIDL-Lite", c.method, cf, ContentFeatures)
		}
		f := features(t, cf)
		// OP: a-val (time seek) 0 since TimeSeekRange is refused, b-val (byte seek) 1.
		if f["DLNA.ORG_OP"] != "01" {
			t.Errorf("%s: DLNA.ORG_OP %q, want 01 (Range seeks, no time seeks)", c.method, f["DLNA.ORG_OP"])
		}
		if f["DLNA.ORG_CI"] != "0" {
			t.Errorf("%s: DLNA.ORG_CI %q, want 0 (not transcoded)", c.method, f["DLNA.ORG_CI"])
		}
		flags := primaryFlags(t, f)
		if flags&flagStreamingMode == 0 || flags&flagDLNAv15 == 0 || flags&flagInteractiveMode != 0 {
			t.Errorf("%s: flags %08x: a film is Streaming (bit 24), DLNA 1.5 (bit 20), not Interactive (bit 23)", c.method, flags)
		}
		// With DLNA 1.5 flags the time-based and byte-based seek flags (bits 30, 29) must
		// not contradict OP, which they would for a limited-range server.
		if flags&(1<<30|1<<29|1<<31) != 0 {
			t.Errorf("%s: flags %08x claim sender pacing or limited seeks; OP=01 is a full byte seek", c.method, flags)
		}
	}

	// Without transferMode, the default for video is Streaming; Background is accepted and
	// echoed; Interactive is for non-AV content and gets 406.
	resp, _ := request(t, http.MethodHead, u, nil)
	if resp.Header.Get("transferMode.dlna.org") != "Streaming" {
		t.Errorf("no transferMode asked: answered %q, want Streaming", resp.Header.Get("transferMode.dlna.org"))
	}
	if resp, _ := request(t, http.MethodHead, u, map[string]string{"transferMode.dlna.org": "Background"}); resp.StatusCode != http.StatusOK || resp.Header.Get("transferMode.dlna.org") != "Background" {
		t.Errorf("Background asked: status %d, mode %q; want 200 Background", resp.StatusCode, resp.Header.Get("transferMode.dlna.org"))
	}
	for name, h := range map[string]map[string]string{
		"Interactive for a film":      {"transferMode.dlna.org": "Interactive"},
		"a time seek (OP a-val is 0)": {"TimeSeekRange.dlna.org": "npt=10.0-"},
		"a play speed of 2":           {"PlaySpeed.dlna.org": "speed=2"},
	} {
		if resp, _ := request(t, http.MethodGet, u, h); resp.StatusCode != http.StatusNotAcceptable {
			t.Errorf("%s: status %d, want 406", name, resp.StatusCode)
		}
	}
	if resp, _ := request(t, http.MethodGet, u, map[string]string{"getcontentFeatures.dlna.org": "0"}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("getcontentFeatures.dlna.org: 0: status %d, want 400", resp.StatusCode)
	}
	// A range request keeps the DLNA headers.
	resp, body = request(t, http.MethodGet, u, map[string]string{"Range": "bytes=10-19", "transferMode.dlna.org": "Streaming"})
	if resp.StatusCode != http.StatusPartialContent || body != string(data[10:20]) || resp.Header.Get("transferMode.dlna.org") != "Streaming" {
		t.Errorf("range: status %d, body %q, mode %q", resp.StatusCode, body, resp.Header.Get("transferMode.dlna.org"))
	}
}

func ptr[T any](v T) *T { return &v }

// The subtitle is served as SRT beside the film, Interactive (not AV content), and named to
// Samsung TVs that ask with getCaptionInfo.sec.
func TestSubtitleBesideTheFilm(t *testing.T) {
	t.Parallel()
	srt := "1\n00:00:01,000 --> 00:00:02,000\nHello\n"
	sub := localFile(t, "film.en.srt", []byte(srt))
	srv, ss, _ := localServer(t, Options{Token: true, Subtitle: &sub})
	if !strings.HasSuffix(ss.SubtitlePath(), "/film.srt") || !strings.HasPrefix(ss.SubtitlePath(), strings.TrimSuffix(ss.Path(), "film.mkv")) {
		t.Fatalf("subtitle path %q is not beside the film's %q", ss.SubtitlePath(), ss.Path())
	}
	resp, body := request(t, http.MethodGet, srv.URL+ss.SubtitlePath(), map[string]string{"getcontentFeatures.dlna.org": "1"})
	if resp.StatusCode != http.StatusOK || body != srt || resp.Header.Get("Content-Type") != SubtitleType {
		t.Fatalf("subtitle: status %d, type %q, body %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp.Header.Get("transferMode.dlna.org") != "Interactive" {
		t.Errorf("subtitle transferMode %q, want Interactive", resp.Header.Get("transferMode.dlna.org"))
	}
	if flags := primaryFlags(t, features(t, resp.Header.Get("contentFeatures.dlna.org"))); flags&flagInteractiveMode == 0 || flags&flagStreamingMode != 0 {
		t.Errorf("subtitle flags %08x, want Interactive and not Streaming", flags)
	}
	if resp, _ := request(t, http.MethodGet, srv.URL+ss.SubtitlePath(), map[string]string{"transferMode.dlna.org": "Streaming"}); resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("subtitle in Streaming mode: status %d, want 406", resp.StatusCode)
	}
	resp, _ = request(t, http.MethodHead, srv.URL+ss.Path(), map[string]string{"getCaptionInfo.sec": "1"})
	if got := resp.Header.Get("CaptionInfo.sec"); got != srv.URL+ss.SubtitlePath() {
		t.Errorf("CaptionInfo.sec %q, want %q", got, srv.URL+ss.SubtitlePath())
	}
	if srv.URL+ss.SubtitlePath() != ss.SubtitleURL(srv.Listener.Addr().(*net.TCPAddr)) {
		t.Errorf("SubtitleURL %q, want %q", ss.SubtitleURL(srv.Listener.Addr().(*net.TCPAddr)), srv.URL+ss.SubtitlePath())
	}
}
