package player

import (
	"errors"
	"fmt"
	"time"
)

// State is the player's playback state.
type State int

const (
	StateOpening State = iota
	StateBuffering
	StatePlaying
	StatePaused
	StateSeeking
	StateEnded
	StateError
)

func (s State) String() string {
	switch s {
	case StateOpening:
		return "opening"
	case StateBuffering:
		return "buffering"
	case StatePlaying:
		return "playing"
	case StatePaused:
		return "paused"
	case StateSeeking:
		return "seeking"
	case StateEnded:
		return "ended"
	case StateError:
		return "error"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventState: the state changed to Event.State.
	EventState EventKind = iota
	// EventFirstFrame: the first picture (or, without video, the first sound) is out; a
	// file with video that ends before any picture gives ErrNoPicture instead.
	EventFirstFrame
	// EventSeekDone: a seek landed; Target is what was asked, Landed the first frame's time.
	EventSeekDone
	// EventBuffering: progress while buffering, Buffer from 0 to 1.
	EventBuffering
	// EventEnded: playback reached the end.
	EventEnded
	// EventError: playback stopped on Err.
	EventError
	// EventTracks: the track lists changed (subtitles were loaded).
	EventTracks
)

func (k EventKind) String() string {
	switch k {
	case EventState:
		return "state"
	case EventFirstFrame:
		return "first-frame"
	case EventSeekDone:
		return "seek-done"
	case EventBuffering:
		return "buffering"
	case EventEnded:
		return "ended"
	case EventError:
		return "error"
	case EventTracks:
		return "tracks"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one notification to Options.OnEvent. Events arrive in order on one goroutine
// of the player's own, so a slow handler delays later events but never playback.
type Event struct {
	Kind     EventKind
	State    State         // the state after the event
	Buffer   float64       // 0..1 while buffering
	Target   time.Duration // EventSeekDone: the requested time
	Landed   time.Duration // EventSeekDone: the time of the first frame shown
	Position time.Duration // the playback position when the event was raised
	Err      error         // EventError
}

// Stats are playback counters since Open.
type Stats struct {
	FramesShown   int           // pictures handed to the frame sink (or timed, with no sink)
	FramesDropped int           // pictures skipped because they were late
	Stalls        int           // times playback entered Buffering
	StallTime     time.Duration // total time spent in Buffering
	BufferPercent float64       // 0..1: buffered media ahead of playback, against the goal
	BytesRead     int64         // bytes read from the source
	Underruns     int           // audio callbacks that ran short of samples while playing
	AudioFrames   int64         // audio sample frames played
}

// Errors the UI can show verbatim. Use errors.Is to tell them apart.
var (
	// ErrInvalidData: the source is not a media file FFmpeg recognises, or is corrupt.
	ErrInvalidData = errors.New("not a media file or corrupt")
	// ErrNoStreams: the file has no audio or video stream that could be played.
	ErrNoStreams = errors.New("no playable audio or video stream")
	// ErrUnsupportedCodec: the film's codec cannot be decoded by this FFmpeg build.
	ErrUnsupportedCodec = errors.New("unsupported codec")
	// ErrClosed: the player was closed.
	ErrClosed = errors.New("player closed")
	// ErrTruncated: the source ended before the size it was opened with, or playback ended
	// long before the film's duration (a damaged index, data missing).
	ErrTruncated = errors.New("file truncated")
	// ErrNoPicture: the file has a video stream but not one picture of it could be decoded.
	ErrNoPicture = errors.New("no picture could be decoded from the video stream: the file is damaged")
	// ErrNoTrack: no track has the requested ID.
	ErrNoTrack = errors.New("no such track")
)

// CodecError reports a stream whose codec cannot be decoded; it matches
// ErrUnsupportedCodec.
type CodecError struct {
	Media string // "video", "audio" or "subtitle"
	Codec string // FFmpeg's codec name, or "unknown"
	Tag   string // the container's codec tag (fourcc), when the codec is unknown
}

func (e *CodecError) Error() string {
	name := e.Codec
	if (name == "" || name == "none" || name == "unknown") && e.Tag != "" {
		name = fmt.Sprintf("unknown (tag %q)", e.Tag)
	}
	return fmt.Sprintf("unsupported %s codec: %s — this build of FFmpeg cannot decode it", e.Media, name)
}

func (e *CodecError) Is(target error) bool { return target == ErrUnsupportedCodec }

// MediaInfo describes an opened source.
type MediaInfo struct {
	Duration  time.Duration
	Bitrate   int64  // bits per second, container-wide (for sizing readahead)
	Container string // FFmpeg's demuxer name, e.g. "matroska,webm"
	Video     *VideoInfo
	Audio     []TrackInfo
	Subtitles []TrackInfo
}

// VideoInfo describes the video stream being played.
type VideoInfo struct {
	Codec         string
	Width, Height int // coded size
	// DisplayWidth, DisplayHeight apply the sample aspect ratio and the rotation.
	DisplayWidth, DisplayHeight int
	// Rotation is how far clockwise the pictures turn for display (0, 90, 180 or 270),
	// from the stream's display matrix.
	Rotation int
	FPS      float64
}

// TrackInfo describes an audio or subtitle track. IDs are stable for the player's
// lifetime: embedded tracks use their stream index, loaded subtitle files get IDs from
// 1000 up.
type TrackInfo struct {
	ID       int
	Codec    string
	Language string
	Title    string
	Channels int  // audio only
	Default  bool // flagged default by the container
	Forced   bool
	External bool // loaded from a separate file
	Playable bool // FFmpeg can decode it (audio), or it is a text format (subtitles)
}
