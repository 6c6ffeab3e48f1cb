package cast

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const description = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>
<friendlyName>Living-room TV</friendlyName>
<manufacturer>Test</manufacturer><modelName>Fake</modelName>
<UDN>uuid:11111111-2222-3333-4444-555555555555</UDN>
<serviceList>
<service><serviceType>urn:schemas-upnp-org:service:AVTransport:1</serviceType>
<serviceId>urn:upnp-org:serviceId:AVTransport</serviceId><SCPDURL>/avt.xml</SCPDURL>
<controlURL>/control/avt</controlURL><eventSubURL>/event/avt</eventSubURL></service>
<service><serviceType>urn:schemas-upnp-org:service:RenderingControl:1</serviceType>
<serviceId>urn:upnp-org:serviceId:RenderingControl</serviceId><SCPDURL>/rc.xml</SCPDURL>
<controlURL>/control/rc</controlURL><eventSubURL>/event/rc</eventSubURL></service>
</serviceList>
</device>
</root>`

// fakeDevice is a renderer that answers SOAP actions from answers (by action name) and
// records what it was asked.
type fakeDevice struct {
	*httptest.Server
	mu       sync.Mutex
	calls    []string          // "Action" per request, in order
	bodies   map[string]string // the last request body of each action
	answers  map[string]string // the response inside s:Body, by action; missing: an empty response
	faults   map[string]string // a whole SOAP fault envelope, by action
	describe func(w http.ResponseWriter)
}

var soapActionRe = regexp.MustCompile(`#(\w+)"?$`)

func newFakeDevice(t *testing.T) *fakeDevice {
	d := &fakeDevice{bodies: map[string]string{}, answers: map[string]string{}, faults: map[string]string{}}
	d.describe = func(w http.ResponseWriter) { io.WriteString(w, description) }
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/description.xml" {
			d.describe(w)
			return
		}
		m := soapActionRe.FindStringSubmatch(r.Header.Get("SOAPACTION"))
		if m == nil {
			http.NotFound(w, r)
			return
		}
		action := m[1]
		body, _ := io.ReadAll(r.Body)
		d.mu.Lock()
		d.calls = append(d.calls, action)
		d.bodies[action] = string(body)
		fault, answer := d.faults[action], d.answers[action]
		d.mu.Unlock()
		w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
		if fault != "" {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, fault)
			return
		}
		fmt.Fprintf(w, `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%sResponse xmlns:u="urn:schemas-upnp-org:service:AVTransport:1">%s</u:%sResponse></s:Body></s:Envelope>`, action, answer, action)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *fakeDevice) body(action string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bodies[action]
}

func upnpFault(code int, desc string) string {
	return fmt.Sprintf(`<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode><errorDescription>%s</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`, code, desc)
}

func openFake(t *testing.T, d *fakeDevice) *Renderer {
	t.Helper()
	r, err := Open(context.Background(), d.URL+"/description.xml")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOpenReadsTheDescription(t *testing.T) {
	d := newFakeDevice(t)
	r := openFake(t, d)
	if r.Name != "Living-room TV" || r.UDN != "uuid:11111111-2222-3333-4444-555555555555" || r.Manufacturer != "Test" || r.Model != "Fake" {
		t.Fatalf("renderer %+v", r)
	}
	if r.avt.SOAPClient.EndpointURL.String() != d.URL+"/control/avt" {
		t.Fatalf("AVTransport control URL %s, want %s/control/avt", &r.avt.SOAPClient.EndpointURL, d.URL)
	}
}

// Every action says what the issue asks: SetAVTransportURI with DIDL-Lite (title, MIME type,
// duration, subtitle), Play, Pause, Stop, Seek in REL_TIME, volume, and the polled state.
func TestActionsSendWhatRenderersExpect(t *testing.T) {
	d := newFakeDevice(t)
	r := openFake(t, d)
	ctx := context.Background()
	m := Media{URL: "http://10.0.0.2:8080/tok/film.mkv", Title: "Tom & Jerry <1940>", MIME: "video/x-matroska",
		Size: 12345, Duration: 90*time.Minute + 5*time.Second + 250*time.Millisecond, SubtitleURL: "http://10.0.0.2:8080/tok/film.srt"}
	if err := r.Load(ctx, m); err != nil {
		t.Fatal(err)
	}
	var set struct {
		InstanceID, CurrentURI, CurrentURIMetaData string
	}
	inner := regexp.MustCompile(`(?s)<u:SetAVTransportURI[^>]*>(.*)</u:SetAVTransportURI>`).FindStringSubmatch(d.body("SetAVTransportURI"))
	if inner == nil || xml.Unmarshal([]byte("<a>"+inner[1]+"</a>"), &set) != nil {
		t.Fatalf("SetAVTransportURI body: %s", d.body("SetAVTransportURI"))
	}
	if set.InstanceID != "0" || set.CurrentURI != m.URL {
		t.Fatalf("SetAVTransportURI InstanceID %q, CurrentURI %q", set.InstanceID, set.CurrentURI)
	}
	var didl struct {
		Item struct {
			Title string `xml:"http://purl.org/dc/elements/1.1/ title"`
			Class string `xml:"urn:schemas-upnp-org:metadata-1-0/upnp/ class"`
			Res   []struct {
				ProtocolInfo string `xml:"protocolInfo,attr"`
				Duration     string `xml:"duration,attr"`
				Size         string `xml:"size,attr"`
				URL          string `xml:",chardata"`
			} `xml:"res"`
			Caption string `xml:"http://www.sec.co.kr/ CaptionInfoEx"`
		} `xml:"item"`
	}
	if err := xml.Unmarshal([]byte(set.CurrentURIMetaData), &didl); err != nil {
		t.Fatalf("the DIDL-Lite is not XML: %v\n%s", err, set.CurrentURIMetaData)
	}
	it := didl.Item
	if it.Title != m.Title || it.Class != "object.item.videoItem.movie" || len(it.Res) != 2 {
		t.Fatalf("DIDL-Lite item %+v", it)
	}
	if it.Res[0].URL != m.URL || it.Res[0].Duration != "1:30:05.250" || it.Res[0].Size != "12345" ||
		!strings.HasPrefix(it.Res[0].ProtocolInfo, "http-get:*:video/x-matroska:DLNA.ORG_OP=01;") {
		t.Errorf("film res %+v", it.Res[0])
	}
	if it.Res[1].URL != m.SubtitleURL || it.Res[1].ProtocolInfo != "http-get:*:text/srt:*" || it.Caption != m.SubtitleURL {
		t.Errorf("subtitle res %+v, CaptionInfoEx %q", it.Res[1], it.Caption)
	}

	for _, step := range []struct {
		do   func() error
		name string
		want string
	}{
		{func() error { return r.Play(ctx) }, "Play", "<Speed>1</Speed>"},
		{func() error { return r.Pause(ctx) }, "Pause", "<InstanceID>0</InstanceID>"},
		{func() error { return r.Seek(ctx, time.Hour+2*time.Minute+3*time.Second+900*time.Millisecond) }, "Seek", "<Unit>REL_TIME</Unit><Target>1:02:03</Target>"},
		{func() error { return r.SetVolume(ctx, 140) }, "SetVolume", "<Channel>Master</Channel><DesiredVolume>100</DesiredVolume>"},
		{func() error { return r.Stop(ctx) }, "Stop", "<InstanceID>0</InstanceID>"},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if !strings.Contains(d.body(step.name), step.want) {
			t.Errorf("%s sent %s; want %s in it", step.name, d.body(step.name), step.want)
		}
	}

	d.answers["GetTransportInfo"] = "<CurrentTransportState>PLAYING</CurrentTransportState><CurrentTransportStatus>OK</CurrentTransportStatus><CurrentSpeed>1</CurrentSpeed>"
	d.answers["GetPositionInfo"] = "<Track>1</Track><TrackDuration>0:01:30.500</TrackDuration><TrackMetaData></TrackMetaData><TrackURI>" + m.URL + "</TrackURI><RelTime>0:00:42</RelTime><AbsTime>NOT_IMPLEMENTED</AbsTime><RelCount>NOT_IMPLEMENTED</RelCount><AbsCount>2147483647</AbsCount>"
	d.answers["GetVolume"] = "<CurrentVolume>37</CurrentVolume>"
	st, err := r.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (Status{State: StatePlaying, Position: 42 * time.Second, Duration: 90*time.Second + 500*time.Millisecond, URI: m.URL}) {
		t.Errorf("status %+v", st)
	}
	if v, err := r.Volume(ctx); err != nil || v != 37 {
		t.Errorf("volume %d, %v; want 37", v, err)
	}
	d.answers["GetTransportInfo"] = "<CurrentTransportState>STOPPED</CurrentTransportState><CurrentTransportStatus>ERROR_OCCURRED</CurrentTransportStatus><CurrentSpeed>1</CurrentSpeed>"
	if st, err := r.Status(ctx); err != nil || !st.Failed || st.State != StateStopped {
		t.Errorf("status after an error %+v, %v; want Failed and STOPPED", st, err)
	}
}

// A renderer that refuses a film says so in words: the UPnP code, its own description, and
// ErrFormatRefused for a format it does not take.
func TestSOAPFaultsBecomeClearErrors(t *testing.T) {
	d := newFakeDevice(t)
	r := openFake(t, d)
	ctx := context.Background()
	d.faults["SetAVTransportURI"] = upnpFault(714, "Unsupported MIME-type video/x-matroska")
	err := r.Load(ctx, Media{URL: "http://x/film.mkv", MIME: "video/x-matroska"})
	var ae *ActionError
	if !errors.As(err, &ae) || !errors.Is(err, ErrFormatRefused) || ae.Code != 714 {
		t.Fatalf("Load with fault 714: %v; want an ActionError that is ErrFormatRefused", err)
	}
	for _, want := range []string{"Living-room TV", "SetAVTransportURI", "714", "Unsupported MIME-type video/x-matroska"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	// A code alone gets the standard's words; a seek the renderer cannot do is not a
	// format refusal.
	d.faults["Seek"] = upnpFault(710, "")
	err = r.Seek(ctx, time.Minute)
	if err == nil || errors.Is(err, ErrFormatRefused) || !strings.Contains(err.Error(), "seek mode not supported") {
		t.Errorf("Seek with fault 710: %v", err)
	}
}

func TestMalformedAnswersFailClearly(t *testing.T) {
	ctx := context.Background()
	d := newFakeDevice(t)
	d.describe = func(w http.ResponseWriter) { io.WriteString(w, "<root><device><friendlyName>Broken") }
	if _, err := Open(ctx, d.URL+"/description.xml"); err == nil || !strings.Contains(err.Error(), "not a UPnP device description") {
		t.Errorf("truncated description: %v", err)
	}
	d.describe = func(w http.ResponseWriter) {
		io.WriteString(w, strings.Replace(description, "urn:schemas-upnp-org:service:AVTransport:1", "urn:example:Other:1", 1))
	}
	if _, err := Open(ctx, d.URL+"/description.xml"); err == nil || !strings.Contains(err.Error(), "not a media renderer") || !strings.Contains(err.Error(), "Living-room TV") {
		t.Errorf("description without AVTransport: %v", err)
	}
	d.describe = func(w http.ResponseWriter) { http.Error(w, "gone", http.StatusGone) }
	if _, err := Open(ctx, d.URL+"/description.xml"); err == nil || !strings.Contains(err.Error(), "410") {
		t.Errorf("description answered 410: %v", err)
	}
	for _, bad := range []string{"", "ftp://tv/description.xml", "tv.local:1400", "http://"} {
		if _, err := Open(ctx, bad); err == nil || !strings.Contains(err.Error(), "description URL") {
			t.Errorf("Open(%q): %v, want an error about the URL", bad, err)
		}
	}

	d.describe = func(w http.ResponseWriter) { io.WriteString(w, description) }
	r := openFake(t, d)
	d.faults["GetTransportInfo"] = "<s:Envelope><s:Body><u:GetTransportInfoResponse>"
	_, err := r.Status(ctx)
	if err == nil || !strings.Contains(err.Error(), "GetTransportInfo") || !strings.Contains(err.Error(), "Living-room TV") {
		t.Errorf("malformed SOAP answer: %v", err)
	}
}

// A description that never ends is cut at maxAnswer, a renderer that never answers at
// requestTimeout: an error each time, no hang.
func TestHugeAndSilentRenderersDoNotHang(t *testing.T) {
	ctx := context.Background()
	d := newFakeDevice(t)
	var sent int64
	d.describe = func(w http.ResponseWriter) {
		io.WriteString(w, `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>`)
		chunk := strings.Repeat("A", 64<<10)
		for sent = 0; sent < 64<<20; sent += int64(len(chunk)) {
			if _, err := io.WriteString(w, chunk); err != nil {
				return // the client gave up, as it should
			}
		}
	}
	_, err := Open(ctx, d.URL+"/description.xml")
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Fatalf("endless description: %v, want an error about its size", err)
	}
	if sent >= 64<<20 {
		t.Errorf("the whole 64 MiB description was sent: the client read on past its limit")
	}

	old := requestTimeout
	requestTimeout = 300 * time.Millisecond
	defer func() { requestTimeout = old }()
	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/description.xml" {
			io.WriteString(w, description)
			return
		}
		<-release // accepts the action and never answers
	}))
	defer silent.Close()
	defer close(release) // before Close, which waits for the handler
	r, err := Open(ctx, silent.URL+"/description.xml")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Play(ctx) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "Play") {
			t.Errorf("Play on a silent renderer: %v, want an error naming Play", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Play on a silent renderer did not return within a minute")
	}
}

func TestParseHMS(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0:00:00": 0, "0:01:05": 65 * time.Second, "12:34:56": 12*time.Hour + 34*time.Minute + 56*time.Second,
		"100:00:00": 100 * time.Hour, "0:00:01.5": 1500 * time.Millisecond, "0:00:01.250": 1250 * time.Millisecond,
		"0:00:02.1/4": 2250 * time.Millisecond, "+0:00:03": 3 * time.Second, "-0:00:03": -3 * time.Second, " 0:00:04 ": 4 * time.Second,
	} {
		if got, ok := ParseHMS(in); !ok || got != want {
			t.Errorf("ParseHMS(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "NOT_IMPLEMENTED", "1:2:3", "0:60:00", "0:00:60", "0:00:01.", "0:00:01.x", "0:00:01.4/4", "0:00:01.1/0", "::", "0:00", "a:00:00"} {
		if got, ok := ParseHMS(in); ok {
			t.Errorf("ParseHMS(%q) = %v, true; want false", in, got)
		}
	}
	for _, d := range []time.Duration{0, 999 * time.Millisecond, 65 * time.Second, 25*time.Hour + 59*time.Minute + 59*time.Second + 123*time.Millisecond} {
		if got, ok := ParseHMS(FormatHMS(d, true)); !ok || got != d.Truncate(time.Millisecond) {
			t.Errorf("FormatHMS(%v) = %q reads back as %v, %v", d, FormatHMS(d, true), got, ok)
		}
	}
}
