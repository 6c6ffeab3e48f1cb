package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"marquee/player"
	"marquee/torrent"
)

// The headless play events (README, "Headless play events"): one struct per event kind,
// so that the compiler keeps the contract "fields are only ever added" and
// TestPlayEventsMatchTheREADME pins each struct's JSON names to the README's table.
// Every event starts with eventHead, which emit fills in.

type eventHead struct {
	TMs   int64  `json:"t_ms"`
	Event string `json:"event"`
}

func (h *eventHead) head() *eventHead { return h }

// playEvent is one of the event structs below.
type playEvent interface {
	head() *eventHead
	kind() string
}

type metadataEvent struct {
	eventHead
	Name        string      `json:"name"`
	FileIndex   int         `json:"file_index"`
	Size        int64       `json:"size"`
	Files       []fileEntry `json:"files"`
	PieceLength int64       `json:"piece_length"`
}

// metadataWaitEvent is said every second while a magnet's details are fetched.
type metadataWaitEvent struct {
	eventHead
	PeersFound int `json:"peers_found"`
	Peers      int `json:"peers"`
	Webseeds   int `json:"webseeds"`
	// Reachable is false when no DHT router's name resolves: no swarm can answer from here.
	Reachable bool `json:"reachable"`
}

type fileEntry struct {
	Index  int    `json:"index"`
	Path   string `json:"path"`
	Length int64  `json:"length"`
	Kind   string `json:"kind"`
}

type openedEvent struct {
	eventHead
	DurationMs int64   `json:"duration_ms"`
	Bitrate    int64   `json:"bitrate"`
	Container  string  `json:"container"`
	VideoCodec string  `json:"video_codec,omitempty"`
	Width      int     `json:"width,omitempty"`
	Height     int     `json:"height,omitempty"`
	FPS        float64 `json:"fps,omitempty"`
	// Rotation is how far clockwise the pictures turn for display (a phone's portrait
	// video); width and height are the coded size.
	Rotation      int    `json:"rotation,omitempty"`
	AudioCodec    string `json:"audio_codec,omitempty"`
	AudioChannels int    `json:"audio_channels,omitempty"`
}

type firstFrameEvent struct {
	eventHead
	PositionMs int64 `json:"position_ms"`
	Downloaded int64 `json:"downloaded"`
	Complete   int64 `json:"complete"`
}

type stallStartEvent struct {
	eventHead
	PositionMs int64 `json:"position_ms"`
}

type stallEndEvent struct {
	eventHead
	PositionMs int64 `json:"position_ms"`
	StallMs    int64 `json:"stall_ms"`
}

type seekDoneEvent struct {
	eventHead
	TargetMs int64 `json:"target_ms"`
	LandedMs int64 `json:"landed_ms"`
}

type progressEvent struct {
	eventHead
	PositionMs     int64   `json:"position_ms"`
	State          string  `json:"state"`
	Downloaded     int64   `json:"downloaded"`
	Complete       int64   `json:"complete"`
	Length         int64   `json:"length"`
	DownRate       int64   `json:"down_rate"`
	UpRate         int64   `json:"up_rate"`
	Peers          int     `json:"peers"`
	Seeds          int     `json:"seeds"`
	Webseeds       int     `json:"webseeds"`
	WebseedBytes   int64   `json:"webseed_bytes"`
	DuplicateBytes int64   `json:"duplicate_bytes"`
	FramesShown    int     `json:"frames_shown"`
	FramesDropped  int     `json:"frames_dropped"`
	Stalls         int     `json:"stalls"`
	BufferPercent  float64 `json:"buffer_percent"`
}

type endEvent struct {
	eventHead
	Reason        string `json:"reason"`
	PositionMs    int64  `json:"position_ms"`
	Downloaded    int64  `json:"downloaded"`
	Uploaded      int64  `json:"uploaded"`
	FramesShown   int    `json:"frames_shown"`
	FramesDropped int    `json:"frames_dropped"`
	Stalls        int    `json:"stalls"`
	StallMs       int64  `json:"stall_ms"`
}

type errorEvent struct {
	eventHead
	Message string `json:"message"`
}

func (*metadataEvent) kind() string     { return "metadata" }
func (*metadataWaitEvent) kind() string { return "metadata_wait" }
func (*openedEvent) kind() string       { return "opened" }
func (*firstFrameEvent) kind() string   { return "first_frame" }
func (*stallStartEvent) kind() string   { return "stall_start" }
func (*stallEndEvent) kind() string     { return "stall_end" }
func (*seekDoneEvent) kind() string     { return "seek_done" }
func (*progressEvent) kind() string     { return "progress" }
func (*endEvent) kind() string          { return "end" }
func (*errorEvent) kind() string        { return "error" }

// allPlayEvents lists every kind, for the contract test.
var allPlayEvents = []playEvent{
	&metadataEvent{}, &metadataWaitEvent{}, &openedEvent{}, &firstFrameEvent{}, &stallStartEvent{}, &stallEndEvent{},
	&seekDoneEvent{}, &progressEvent{}, &endEvent{}, &errorEvent{},
}

// playEvents writes headless events, as JSON lines or as readable text.
type playEvents struct {
	mu    sync.Mutex
	w     io.Writer
	json  bool
	start time.Time
}

// emit stamps ev with the time since start and its kind, and writes it.
func (e *playEvents) emit(ev playEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	h := ev.head()
	h.TMs, h.Event = time.Since(e.start).Milliseconds(), ev.kind()
	b, err := json.Marshal(ev)
	if err != nil {
		// Every field is a number, a string or a list of them: this cannot happen.
		b = fmt.Appendf(nil, `{"t_ms":%d,"event":"error","message":%q}`, h.TMs, err.Error())
	}
	if !e.json {
		fmt.Fprintf(e.w, "%7.3fs %-11s %s\n", float64(h.TMs)/1000, h.Event, payloadOnly(b, h))
		return
	}
	fmt.Fprintf(e.w, "%s\n", b)
}

// payloadOnly drops the head from an event's JSON for the text form, which prints the time
// and kind in columns of their own.
func payloadOnly(b []byte, h *eventHead) []byte {
	prefix, _ := json.Marshal(h)
	prefix = prefix[:len(prefix)-1] // without the closing brace
	if len(b) > len(prefix) && string(b[:len(prefix)]) == string(prefix) {
		if b[len(prefix)] == ',' {
			return append([]byte("{"), b[len(prefix)+1:]...)
		}
		return []byte("{}")
	}
	return b
}

func newMetadataEvent(m *media) *metadataEvent {
	files := make([]fileEntry, 0, len(m.Files))
	for _, f := range m.Files {
		files = append(files, fileEntry{Index: f.Index, Path: f.Path, Length: f.Length, Kind: f.Kind.String()})
	}
	return &metadataEvent{Name: m.Name, FileIndex: m.File.Index, Size: m.Size, Files: files, PieceLength: m.PieceLength}
}

func newOpenedEvent(info player.MediaInfo) *openedEvent {
	ev := &openedEvent{DurationMs: info.Duration.Milliseconds(), Bitrate: info.Bitrate, Container: info.Container}
	if info.Video != nil {
		ev.VideoCodec, ev.Width, ev.Height, ev.FPS = info.Video.Codec, info.Video.Width, info.Video.Height, info.Video.FPS
		ev.Rotation = info.Video.Rotation
	}
	if len(info.Audio) > 0 {
		ev.AudioCodec, ev.AudioChannels = info.Audio[0].Codec, info.Audio[0].Channels
	}
	return ev
}

func newProgressEvent(st torrent.Stats, state string, position time.Duration, ps player.Stats) *progressEvent {
	return &progressEvent{
		PositionMs: position.Milliseconds(), State: state,
		Downloaded: st.BytesDown, Complete: st.BytesComplete, Length: st.Length,
		DownRate: int64(st.DownloadRate), UpRate: int64(st.UploadRate),
		Peers: st.Peers, Seeds: st.Seeds, Webseeds: st.Webseeds,
		WebseedBytes: st.WebseedBytes, DuplicateBytes: st.DuplicateBytes,
		FramesShown: ps.FramesShown, FramesDropped: ps.FramesDropped,
		Stalls: ps.Stalls, BufferPercent: ps.BufferPercent,
	}
}

func newEndEvent(p *player.Player, m *media, reason string) *endEvent {
	st, ps := m.Stats(), p.Stats()
	return &endEvent{
		Reason: reason, PositionMs: p.Position().Milliseconds(),
		Downloaded: st.BytesDown, Uploaded: st.BytesUp,
		FramesShown: ps.FramesShown, FramesDropped: ps.FramesDropped,
		Stalls: ps.Stalls, StallMs: ps.StallTime.Milliseconds(),
	}
}
