package catalog

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"marquee/torrent/source"
)

// Kind says whether a title is a single film or a series.
type Kind string

const (
	KindMovie  Kind = "movie"
	KindSeries Kind = "series"
)

// MainFile as a Source.FileIndex means "let the engine pick the main video file"
// (the largest file with a video extension). Go's zero value, 0, means the first file
// of the torrent, so code that builds a Source must set MainFile explicitly; the feed
// schema does it for a missing "file_index".
const MainFile = -1

// Title is one film or series.
type Title struct {
	ID       string // "<provider id>:<local id>", stable across runs
	Provider string // ID of the provider that listed it
	Kind     Kind
	Name     string
	Year     int
	Runtime  time.Duration
	Genres   []string
	Synopsis string
	Poster   string // image URL, or "" for a generated title card
	Backdrop string // image URL, or ""

	Licence     string // e.g. "CC BY 3.0", "Public Domain"
	LicenceURL  string // the licence's text
	Attribution string // link to the credited author's page (required by CC BY)
	Credit      string // the credit line itself, e.g. "(c) Blender Foundation | www.sintel.org"

	Sources    []Source // for a movie; series keep theirs per episode
	Seasons    []Season
	Popularity float64 // higher is more watched; comparable across providers
}

// Season of a series.
type Season struct {
	Number   int
	Episodes []Episode
}

// Episode of a series.
type Episode struct {
	Number   int
	Name     string
	Synopsis string
	Runtime  time.Duration
	Sources  []Source
}

// Source is one way to get a title's video over BitTorrent. At least one of Magnet,
// TorrentURL and InfoHash is set.
type Source struct {
	Magnet     string
	TorrentURL string   // http(s) URL or local path of a .torrent file
	InfoHash   string   // 40 lowercase hex digits, when known
	Webseeds   []string // BEP 19 url-list bases
	Trackers   []string
	Quality    string // label such as "1080p"
	Size       int64  // bytes of the video file, 0 if unknown
	FileIndex  int    // index of the video file inside the torrent, or MainFile
}

// URI is what to hand to the engine's Add: the magnet (with this source's webseeds,
// trackers and .torrent URL appended as ws, tr and xs when it lacks them), else the
// .torrent URL (its metadata then comes at once, even with no peers), else a magnet
// built from the infohash, webseeds and trackers. It is "" for an empty source.
func (s Source) URI() string {
	switch {
	case s.Magnet != "":
		return s.extendMagnet()
	case s.TorrentURL != "":
		return s.TorrentURL
	case s.InfoHash != "":
		hash, err := source.ParseInfoHash(s.InfoHash)
		if err != nil {
			hash = s.InfoHash // let the engine report it
		}
		return source.Source{InfoHash: hash, Webseeds: s.Webseeds, Trackers: s.Trackers}.MagnetURI()
	}
	return ""
}

func (s Source) extendMagnet() string {
	m, err := source.ParseMagnet(s.Magnet)
	if err != nil {
		return s.Magnet // the engine reports the problem with its own context
	}
	var extra strings.Builder
	add := func(key, value string, present []string) {
		for _, p := range present {
			if p == value {
				return
			}
		}
		extra.WriteString("&" + key + "=" + url.QueryEscape(value))
	}
	for _, ws := range s.Webseeds {
		add("ws", ws, m.Webseeds)
	}
	for _, tr := range s.Trackers {
		add("tr", tr, m.Trackers)
	}
	if s.TorrentURL != "" {
		add("xs", s.TorrentURL, m.MetainfoURLs)
	}
	return s.Magnet + extra.String()
}

// Hash returns the source's infohash as 40 lowercase hex digits, taken from InfoHash
// or the magnet, or "" when neither names one (a bare .torrent URL).
func (s Source) Hash() string {
	if s.InfoHash != "" {
		if h, err := source.ParseInfoHash(s.InfoHash); err == nil {
			return h
		}
	}
	if s.Magnet != "" {
		if m, err := source.ParseMagnet(s.Magnet); err == nil {
			return m.InfoHash
		}
	}
	return ""
}

// AllTrackers returns the source's trackers and those of its magnet, without repeats.
func (s Source) AllTrackers() []string {
	seen := make(map[string]bool)
	var out []string
	add := func(list []string) {
		for _, t := range list {
			if t != "" && !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	add(s.Trackers)
	if s.Magnet != "" {
		if m, err := source.ParseMagnet(s.Magnet); err == nil {
			add(m.Trackers)
		}
	}
	return out
}

// JoinID makes a global title ID from a provider ID and the provider's own ID.
func JoinID(providerID, localID string) string { return providerID + ":" + localID }

// SplitID is the inverse of JoinID.
func SplitID(titleID string) (providerID, localID string, ok bool) {
	providerID, localID, ok = strings.Cut(titleID, ":")
	if !ok || providerID == "" || localID == "" {
		return "", "", false
	}
	return providerID, localID, true
}

// EpisodeID names one episode of a series for the user's library (resume positions,
// watched marks): "<title id>/s<season>e<episode>".
func EpisodeID(titleID string, season, episode int) string {
	return fmt.Sprintf("%s/s%de%d", titleID, season, episode)
}

// ParseEpisodeID is the inverse of EpisodeID.
func ParseEpisodeID(id string) (titleID string, season, episode int, ok bool) {
	i := strings.LastIndex(id, "/s")
	if i <= 0 {
		return "", 0, 0, false
	}
	s, e, found := strings.Cut(id[i+2:], "e")
	if !found {
		return "", 0, 0, false
	}
	var err1, err2 error
	season, err1 = strconv.Atoi(s)
	episode, err2 = strconv.Atoi(e)
	if err1 != nil || err2 != nil || season < 0 || episode < 0 || EpisodeID(id[:i], season, episode) != id {
		return "", 0, 0, false
	}
	return id[:i], season, episode, true
}

// Playable reports whether the title has at least one source, directly or in an
// episode.
func (t Title) Playable() bool {
	if len(t.Sources) > 0 {
		return true
	}
	for _, s := range t.Seasons {
		for _, e := range s.Episodes {
			if len(e.Sources) > 0 {
				return true
			}
		}
	}
	return false
}
