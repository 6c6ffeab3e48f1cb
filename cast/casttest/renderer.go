// Package casttest is a media renderer for tests: an httptest UPnP device that keeps a
// transport state as a TV does, fetches the film it is told to play, and can refuse
// formats or go away. The real renderer (gmediarender) is tested in the CLI's tests.
package casttest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"time"

	"marquee/cast"
)

// Renderer is a fake media renderer on 127.0.0.1.
type Renderer struct {
	Name string
	srv  *httptest.Server

	mu       sync.Mutex
	calls    []string
	uri      string
	metadata string
	state    string
	position time.Duration
	since    time.Time // when position was last set while playing
	volume   int
	refuse   bool
	fetched  []byte
	fetchErr error
}

// FetchBytes is how much of the film the renderer reads on Play.
const FetchBytes = 64 << 10

// New starts a renderer called name; it stops when the test ends.
func New(name string) *Renderer {
	r := &Renderer{Name: name, state: "NO_MEDIA_PRESENT", volume: 50}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// Location is the description URL.
func (r *Renderer) Location() string { return r.srv.URL + "/description.xml" }

// Close takes the renderer off the network, as a TV that is switched off.
func (r *Renderer) Close() {
	r.srv.CloseClientConnections()
	r.srv.Close()
}

// RefuseFormat makes SetAVTransportURI answer UPnP error 714 (illegal MIME type).
func (r *Renderer) RefuseFormat() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refuse = true
}

// Calls are the actions asked so far, with their arguments that matter
// ("Seek 0:00:10", "SetVolume 30").
func (r *Renderer) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// URI is the film it was given.
func (r *Renderer) URI() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.uri
}

// Metadata is the DIDL-Lite it was given with the film.
func (r *Renderer) Metadata() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metadata
}

// State is the transport state.
func (r *Renderer) State() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// Position is where it plays.
func (r *Renderer) Position() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.positionLocked()
}

// Fetched is what it read of the film on Play (up to FetchBytes), and the error if the
// fetch failed.
func (r *Renderer) Fetched() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetched, r.fetchErr
}

func (r *Renderer) positionLocked() time.Duration {
	if r.state == "PLAYING" {
		return r.position + time.Since(r.since)
	}
	return r.position
}

var (
	soapAction = regexp.MustCompile(`#(\w+)"?$`)
	argument   = regexp.MustCompile(`<(\w+)>([^<]*)</`)
)

func (r *Renderer) serve(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/description.xml" {
		fmt.Fprintf(w, description, html.EscapeString(r.Name))
		return
	}
	m := soapAction.FindStringSubmatch(req.Header.Get("SOAPACTION"))
	if m == nil {
		http.NotFound(w, req)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	args := map[string]string{}
	for _, a := range argument.FindAllStringSubmatch(string(body), -1) {
		args[a[1]] = html.UnescapeString(a[2])
	}
	answer, fault := r.act(m[1], args)
	w.Header().Set("Content-Type", `text/xml; charset="utf-8"`)
	if fault != 0 {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, faultEnvelope, fault)
		return
	}
	fmt.Fprintf(w, envelope, m[1], answer, m[1])
}

func (r *Renderer) act(action string, args map[string]string) (answer string, fault int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	call := action
	switch action {
	case "Seek":
		call += " " + args["Target"]
	case "SetVolume":
		call += " " + args["DesiredVolume"]
	}
	r.calls = append(r.calls, call)
	switch action {
	case "SetAVTransportURI":
		if r.refuse {
			return "", 714
		}
		r.uri, r.metadata, r.state, r.position = args["CurrentURI"], args["CurrentURIMetaData"], "STOPPED", 0
	case "Play":
		if r.uri == "" {
			return "", 701
		}
		if r.state != "PLAYING" {
			r.state, r.since = "PLAYING", time.Now()
			if r.fetched == nil && r.fetchErr == nil {
				go r.fetch(r.uri)
			}
		}
	case "Pause":
		r.position, r.state = r.positionLocked(), "PAUSED_PLAYBACK"
	case "Stop":
		r.state, r.position = "STOPPED", 0
	case "Seek":
		d, ok := cast.ParseHMS(args["Target"])
		if !ok {
			return "", 711
		}
		r.position, r.since = d, time.Now()
	case "SetVolume":
		v, err := strconv.Atoi(args["DesiredVolume"])
		if err != nil {
			return "", 402
		}
		r.volume = v
	case "GetVolume":
		return fmt.Sprintf("<CurrentVolume>%d</CurrentVolume>", r.volume), 0
	case "GetTransportInfo":
		return "<CurrentTransportState>" + r.state + "</CurrentTransportState><CurrentTransportStatus>OK</CurrentTransportStatus><CurrentSpeed>1</CurrentSpeed>", 0
	case "GetPositionInfo":
		return "<Track>1</Track><TrackDuration>0:00:00</TrackDuration><TrackMetaData></TrackMetaData><TrackURI>" + html.EscapeString(r.uri) +
			"</TrackURI><RelTime>" + cast.FormatHMS(r.positionLocked(), false) + "</RelTime><AbsTime>NOT_IMPLEMENTED</AbsTime><RelCount>2147483647</RelCount><AbsCount>2147483647</AbsCount>", 0
	}
	return "", 0
}

// fetch reads the head of the film, as a TV does before it shows a picture.
func (r *Renderer) fetch(uri string) {
	req, err := http.NewRequest(http.MethodGet, uri, nil)
	var data []byte
	if err == nil {
		req.Header.Set("Range", fmt.Sprintf("bytes=0-%d", FetchBytes-1))
		var resp *http.Response
		if resp, err = http.DefaultClient.Do(req); err == nil {
			if resp.StatusCode != http.StatusPartialContent {
				err = fmt.Errorf("GET %s: %s", uri, resp.Status)
			} else {
				data, err = io.ReadAll(resp.Body)
			}
			resp.Body.Close()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetched, r.fetchErr = data, err
}

const description = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>
<friendlyName>%s</friendlyName>
<manufacturer>Marquee tests</manufacturer><modelName>Fake renderer</modelName>
<UDN>uuid:5e1f0000-0000-4000-8000-000000000001</UDN>
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

const envelope = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%sResponse xmlns:u="urn:schemas-upnp-org:service:AVTransport:1">%s</u:%sResponse></s:Body></s:Envelope>`

const faultEnvelope = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode></UPnPError></detail></s:Fault></s:Body></s:Envelope>`
