package catalog_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"marquee/catalog"
	"marquee/torrent/source"
)

const (
	sintelHash   = "08ada5a7a6183aae1e09d831df6748d566095a10"
	sintelBase32 = "BCW2LJ5GDA5K4HQJ3AY56Z2I2VTASWQQ"
	sintelMagnet = "magnet:?xt=urn:btih:08ada5a7a6183aae1e09d831df6748d566095a10&dn=Sintel" +
		"&tr=udp%3A%2F%2Ftracker.opentrackr.org%3A1337&tr=wss%3A%2F%2Ftracker.openwebtorrent.com" +
		"&ws=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2F&xs=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2Fsintel.torrent"
)

func TestSourceURI(t *testing.T) {
	ws := "https://webtorrent.io/torrents/"
	xs := "https://webtorrent.io/torrents/sintel.torrent"
	tests := []struct {
		name string
		src  catalog.Source
		want func(string) bool
	}{
		{"empty", catalog.Source{}, func(s string) bool { return s == "" }},
		{"magnet keeps its own params and gains the missing ones",
			catalog.Source{Magnet: "magnet:?xt=urn:btih:" + sintelHash + "&ws=" + url.QueryEscape(ws),
				Webseeds: []string{ws, "https://mirror.example/"}, Trackers: []string{"udp://t.example:80"}, TorrentURL: xs},
			func(s string) bool {
				m, err := source.ParseMagnet(s)
				return err == nil && slices.Equal(m.Webseeds, []string{ws, "https://mirror.example/"}) &&
					slices.Equal(m.Trackers, []string{"udp://t.example:80"}) && slices.Equal(m.MetainfoURLs, []string{xs})
			}},
		{"torrent URL before infohash", catalog.Source{TorrentURL: xs, InfoHash: sintelHash},
			func(s string) bool { return s == xs }},
		{"infohash becomes a magnet with webseeds", catalog.Source{InfoHash: strings.ToUpper(sintelHash), Webseeds: []string{ws}},
			func(s string) bool {
				m, err := source.ParseMagnet(s)
				return err == nil && m.InfoHash == sintelHash && slices.Equal(m.Webseeds, []string{ws})
			}},
		{"broken magnet passed through for the engine to report", catalog.Source{Magnet: "magnet:?oops"},
			func(s string) bool { return s == "magnet:?oops" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.src.URI(); !tt.want(got) {
				t.Errorf("URI() = %q", got)
			}
		})
	}
}

func TestSourceHashAndTrackers(t *testing.T) {
	s := catalog.Source{Magnet: sintelMagnet, Trackers: []string{"udp://tracker.opentrackr.org:1337", "http://t.example/announce"}}
	if s.Hash() != sintelHash {
		t.Errorf("Hash() = %q", s.Hash())
	}
	want := []string{"udp://tracker.opentrackr.org:1337", "http://t.example/announce", "wss://tracker.openwebtorrent.com"}
	if got := s.AllTrackers(); !slices.Equal(got, want) {
		t.Errorf("AllTrackers() = %q, want %q", got, want)
	}
	if (catalog.Source{TorrentURL: "https://x/y.torrent"}).Hash() != "" {
		t.Error("a bare .torrent URL has no known hash")
	}
}

func TestIDs(t *testing.T) {
	id := catalog.JoinID("feed-ab12", "night:of")
	p, local, ok := catalog.SplitID(id)
	if !ok || p != "feed-ab12" || local != "night:of" {
		t.Errorf("SplitID(%q) = %q %q %v", id, p, local, ok)
	}
	if got := catalog.EpisodeID("feed-ab12:show", 1, 2); got != "feed-ab12:show/s1e2" {
		t.Errorf("EpisodeID = %q", got)
	}
	for id, want := range map[string]bool{
		"feed-ab12:show/s1e2": true, "archive:x/s0e10": true, "feed-ab12:show": false,
		"feed:a/s1": false, "feed:a/sxe1": false, "feed:a/s1e2x": false, "/s1e2": false, "a:b/s01e2": false,
	} {
		title, season, episode, ok := catalog.ParseEpisodeID(id)
		if ok != want || (ok && catalog.EpisodeID(title, season, episode) != id) {
			t.Errorf("ParseEpisodeID(%q) = %q %d %d %v", id, title, season, episode, ok)
		}
	}
	series := catalog.Title{Kind: catalog.KindSeries, Seasons: []catalog.Season{{Number: 1, Episodes: []catalog.Episode{{Number: 1, Sources: []catalog.Source{{InfoHash: sintelHash}}}}}}}
	if !series.Playable() || (catalog.Title{}).Playable() {
		t.Error("Playable wrong")
	}
}
