// Package cast plays films on DLNA/UPnP AV media renderers (smart TVs, Kodi, VLC,
// gmediarender): it finds them by SSDP and drives their AVTransport and RenderingControl
// services through github.com/huin/goupnp, with bounded reads and timeouts on everything a
// renderer answers. A Session serves the film for the renderer through httpstream.
package cast

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/huin/goupnp"
	"github.com/huin/goupnp/dcps/av1"
	"github.com/huin/goupnp/soap"
)

// DeviceType is what SSDP searches for.
const DeviceType = "urn:schemas-upnp-org:device:MediaRenderer:1"

// Renderer is one media renderer and the clients for its services.
type Renderer struct {
	Name         string // friendly name, as the renderer's own menu shows it
	UDN          string // unique device name, "uuid:..."
	Manufacturer string
	Model        string
	Location     *url.URL // the description URL

	avt *av1.AVTransport1
	rc  *av1.RenderingControl1 // nil when the renderer has no volume control
}

func (r *Renderer) String() string { return fmt.Sprintf("%q (%s)", r.Name, r.Location.Host) }

// Open reads the renderer described at location (its description URL, as SSDP gives it or
// as the user typed it).
func Open(ctx context.Context, location string) (*Renderer, error) {
	loc, err := url.Parse(location)
	if err != nil || (loc.Scheme != "http" && loc.Scheme != "https") || loc.Host == "" {
		return nil, fmt.Errorf("renderer address %q is not an http:// description URL", location)
	}
	client := newHTTPClient()
	root, err := fetchDescription(ctx, client, loc)
	if err != nil {
		return nil, err
	}
	return newRenderer(root, loc, client)
}

func fetchDescription(ctx context.Context, client *http.Client, loc *url.URL) (*goupnp.RootDevice, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no renderer answers at %s: %w", loc, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the renderer at %s answered %s to its description", loc, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read the description at %s: %w", loc, err)
	}
	root, err := parseDescription(body, loc)
	if err != nil {
		return nil, fmt.Errorf("the description at %s: %w", loc, err)
	}
	return root, nil
}

// parseDescription reads a UPnP device description, as goupnp.DeviceByURL does but from
// bytes already read within bounds.
func parseDescription(body []byte, loc *url.URL) (*goupnp.RootDevice, error) {
	root := new(goupnp.RootDevice)
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.DefaultSpace = goupnp.DeviceXMLNamespace
	dec.CharsetReader = goupnp.CharsetReaderDefault
	if err := dec.Decode(root); err != nil {
		return nil, fmt.Errorf("not a UPnP device description: %w", err)
	}
	base := loc
	if root.URLBaseStr != "" {
		u, err := url.Parse(root.URLBaseStr)
		if err != nil {
			return nil, fmt.Errorf("its URLBase %q: %w", root.URLBaseStr, err)
		}
		base = loc.ResolveReference(u)
	}
	root.SetURLBase(base)
	return root, nil
}

func newRenderer(root *goupnp.RootDevice, loc *url.URL, client *http.Client) (*Renderer, error) {
	dev := &root.Device
	root.Device.VisitDevices(func(d *goupnp.Device) {
		if d.DeviceType == DeviceType && dev.DeviceType != DeviceType {
			dev = d
		}
	})
	r := &Renderer{Name: dev.FriendlyName, UDN: dev.UDN, Manufacturer: dev.Manufacturer, Model: dev.ModelName, Location: loc}
	if r.Name == "" {
		r.Name = loc.Host
	}
	avts, err := av1.NewAVTransport1ClientsFromRootDevice(root, loc)
	if err != nil || len(avts) == 0 {
		return nil, fmt.Errorf("%s is not a media renderer: it has no AVTransport service", r)
	}
	r.avt = avts[0]
	r.avt.SOAPClient.HTTPClient = *client
	if rcs, err := av1.NewRenderingControl1ClientsFromRootDevice(root, loc); err == nil && len(rcs) > 0 {
		r.rc = rcs[0]
		r.rc.SOAPClient.HTTPClient = *client
	}
	return r, nil
}

// Transport states a renderer reports (AVTransport:1 TransportState).
const (
	StatePlaying       = "PLAYING"
	StatePaused        = "PAUSED_PLAYBACK"
	StateStopped       = "STOPPED"
	StateTransitioning = "TRANSITIONING"
	StateNoMedia       = "NO_MEDIA_PRESENT"
)

// ErrFormatRefused: the renderer will not play this type of film (UPnP error 714, Illegal
// MIME-type), or could not fetch it (716, Resource not found).
var ErrFormatRefused = errors.New("the renderer refused the film's format")

// ActionError is a renderer's refusal of one action (a SOAP fault).
type ActionError struct {
	Renderer    string
	Action      string
	Code        int    // the UPnP error code, 0 when the fault has none
	Description string // the renderer's own words, or the standard meaning of Code
}

func (e *ActionError) Error() string {
	s := fmt.Sprintf("renderer %s refused %s", e.Renderer, e.Action)
	if e.Code != 0 {
		s += fmt.Sprintf(" (UPnP error %d)", e.Code)
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

func (e *ActionError) Is(target error) bool {
	return target == ErrFormatRefused && (e.Code == 714 || e.Code == 716)
}

// upnpErrors are the meanings AVTransport:1 and RenderingControl:1 give their error codes,
// for renderers that send a code alone.
var upnpErrors = map[int]string{
	401: "invalid action", 402: "invalid arguments", 501: "action failed",
	701: "transition not available", 702: "no contents", 703: "read error",
	704: "format not supported for playback", 705: "transport is locked", 710: "seek mode not supported",
	711: "illegal seek target", 714: "illegal MIME type", 716: "resource not found", 718: "invalid instance ID",
}

// actionErr names the renderer and the action in err, and turns a SOAP fault into an
// ActionError.
func (r *Renderer) actionErr(action string, err error) error {
	if err == nil {
		return nil
	}
	var fault *soap.SOAPFaultError
	if errors.As(err, &fault) {
		e := &ActionError{Renderer: r.Name, Action: action, Code: fault.Detail.UPnPError.Errorcode,
			Description: strings.TrimSpace(fault.Detail.UPnPError.ErrorDescription)}
		if e.Description == "" {
			e.Description = upnpErrors[e.Code]
		}
		if e.Description == "" {
			e.Description = strings.TrimSpace(fault.FaultString)
		}
		return e
	}
	return fmt.Errorf("renderer %s, %s: %w", r, action, err)
}

// Media is what a renderer is asked to play.
type Media struct {
	URL          string // where the renderer fetches the film
	Title        string
	MIME         string // from the container, as the server sends it
	Size         int64
	Duration     time.Duration // 0: unknown
	SubtitleURL  string        // SRT beside the film; "" for none
	SubtitleMIME string
}

// Load sets the film the renderer plays next (SetAVTransportURI with DIDL-Lite metadata).
func (r *Renderer) Load(ctx context.Context, m Media) error {
	return r.actionErr("SetAVTransportURI", r.avt.SetAVTransportURICtx(ctx, 0, m.URL, m.DIDL()))
}

// Play starts or resumes.
func (r *Renderer) Play(ctx context.Context) error {
	return r.actionErr("Play", r.avt.PlayCtx(ctx, 0, "1"))
}

// Pause pauses.
func (r *Renderer) Pause(ctx context.Context) error {
	return r.actionErr("Pause", r.avt.PauseCtx(ctx, 0))
}

// Stop stops; the renderer closes its connection to the film.
func (r *Renderer) Stop(ctx context.Context) error {
	return r.actionErr("Stop", r.avt.StopCtx(ctx, 0))
}

// Seek jumps to pos from the start of the film (REL_TIME).
func (r *Renderer) Seek(ctx context.Context, pos time.Duration) error {
	return r.actionErr("Seek", r.avt.SeekCtx(ctx, 0, "REL_TIME", FormatHMS(pos, false)))
}

// errNoVolume: the renderer has no RenderingControl service.
var errNoVolume = errors.New("has no volume control")

// SetVolume sets the master volume, 0 to 100.
func (r *Renderer) SetVolume(ctx context.Context, percent int) error {
	if r.rc == nil {
		return fmt.Errorf("renderer %s %w", r, errNoVolume)
	}
	return r.actionErr("SetVolume", r.rc.SetVolumeCtx(ctx, 0, "Master", uint16(min(max(percent, 0), 100))))
}

// Volume is the master volume, 0 to 100.
func (r *Renderer) Volume(ctx context.Context) (int, error) {
	if r.rc == nil {
		return 0, fmt.Errorf("renderer %s %w", r, errNoVolume)
	}
	v, err := r.rc.GetVolumeCtx(ctx, 0, "Master")
	return int(v), r.actionErr("GetVolume", err)
}

// Status is what the renderer says it is doing.
type Status struct {
	State    string // one of the State constants (renderers may add their own)
	Failed   bool   // TransportStatus ERROR_OCCURRED: the renderer could not play
	Position time.Duration
	Duration time.Duration // 0 when the renderer does not know
	URI      string        // the film it plays
}

// Status asks the renderer for its transport state and position.
func (r *Renderer) Status(ctx context.Context) (Status, error) {
	state, status, _, err := r.avt.GetTransportInfoCtx(ctx, 0)
	if err != nil {
		return Status{}, r.actionErr("GetTransportInfo", err)
	}
	st := Status{State: state, Failed: status == "ERROR_OCCURRED"}
	// Only three of GetPositionInfo's answers are read, as strings: av1's stub also parses
	// RelCount and AbsCount as integers, which renderers that fill them with
	// NOT_IMPLEMENTED would turn into an error.
	var pos struct{ TrackDuration, TrackURI, RelTime string }
	in := struct{ InstanceID string }{"0"}
	if err := r.avt.SOAPClient.PerformActionCtx(ctx, av1.URN_AVTransport_1, "GetPositionInfo", &in, &pos); err != nil {
		return Status{}, r.actionErr("GetPositionInfo", err)
	}
	st.Position, _ = ParseHMS(pos.RelTime)
	st.Duration, _ = ParseHMS(pos.TrackDuration)
	st.URI = pos.TrackURI
	return st, nil
}
