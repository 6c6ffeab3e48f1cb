package catalog_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"marquee/catalog"
)

const (
	sintelHash   = "08ada5a7a6183aae1e09d831df6748d566095a10"
	sintelBase32 = "BCW2LJ5GDA5K4HQJ3AY56Z2I2VTASWQQ"
	sintelMagnet = "magnet:?xt=urn:btih:08ada5a7a6183aae1e09d831df6748d566095a10&dn=Sintel" +
		"&tr=udp%3A%2F%2Ftracker.opentrackr.org%3A1337&tr=wss%3A%2F%2Ftracker.openwebtorrent.com" +
		"&ws=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2F&xs=https%3A%2F%2Fwebtorrent.io%2Ftorrents%2Fsintel.torrent"
)

func TestParseMagnet(t *testing.T) {
	m, err := catalog.ParseMagnet(sintelMagnet)
	if err != nil {
		t.Fatal(err)
	}
	if m.InfoHash != sintelHash || m.Name != "Sintel" {
		t.Errorf("hash %q name %q", m.InfoHash, m.Name)
	}
	if !slices.Equal(m.Trackers, []string{"udp://tracker.opentrackr.org:1337", "wss://tracker.openwebtorrent.com"}) {
		t.Errorf("trackers %q", m.Trackers)
	}
	if !slices.Equal(m.Webseeds, []string{"https://webtorrent.io/torrents/"}) ||
		!slices.Equal(m.ExactSources, []string{"https://webtorrent.io/torrents/sintel.torrent"}) {
		t.Errorf("ws %q xs %q", m.Webseeds, m.ExactSources)
	}

	upper, err := catalog.ParseMagnet("MAGNET:?XT=URN:BTIH:" + sintelBase32)
	if err != nil || upper.InfoHash != sintelHash {
		t.Errorf("base32, upper case: %q, %v", upper.InfoHash, err)
	}
	hybrid, err := catalog.ParseMagnet("magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32) + "&xt=urn:btih:" + sintelHash)
	if err != nil || hybrid.InfoHash != sintelHash {
		t.Errorf("hybrid v1+v2 magnet: %q, %v", hybrid.InfoHash, err)
	}

	for in, want := range map[string]string{
		"":                             `does not start with "magnet:?"`,
		"http://example.com/x.torrent": `does not start with "magnet:?"`,
		"magnet:?dn=nohash":            "no xt=urn:btih: infohash",
		"magnet:?xt=urn:btih:1234":     "has 4 characters",
		"magnet:?xt=urn:btih:" + strings.Repeat("z", 40):                                            "not hexadecimal",
		"magnet:?xt=urn:btih:" + strings.Repeat("1", 32):                                            "not base32",
		"magnet:?xt=urn:btih:%zz":                                                                   "invalid URL escape",
		"magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32):                                       "v2-only",
		"magnet:?xt=urn:btih:" + sintelHash + "&xt.1=urn:btih:" + strings.Repeat("a", 40):           "two different",
		"magnet:?xt=urn:btih:" + sintelHash + "&dn=" + strings.Repeat("x", catalog.MaxMagnetLength): "longer than",
	} {
		_, err := catalog.ParseMagnet(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMagnet(%.60q) = %v, want an error containing %q", in, err, want)
		}
	}
}

func FuzzParseMagnet(f *testing.F) {
	f.Add(sintelMagnet)
	f.Add("magnet:?xt=urn:btih:" + sintelBase32 + "&tr=udp://x:1&ws=http://y/")
	f.Add("magnet:?xt=urn:btmh:1220abcd")
	f.Add("magnet:?xt.1=urn:btih:" + sintelHash + "&xt.2=urn:btih:" + sintelHash)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := catalog.ParseMagnet(s)
		if err != nil {
			return
		}
		if len(m.InfoHash) != 40 || strings.ToLower(m.InfoHash) != m.InfoHash {
			t.Fatalf("accepted %q with infohash %q", s, m.InfoHash)
		}
		// What BuildMagnet writes parses back to the same magnet.
		again, err := catalog.ParseMagnet(catalog.BuildMagnet(m))
		if err != nil {
			t.Fatalf("BuildMagnet(%+v) does not parse: %v", m, err)
		}
		if again.InfoHash != m.InfoHash || again.Name != m.Name ||
			!slices.Equal(again.Webseeds, m.Webseeds) || !slices.Equal(again.ExactSources, m.ExactSources) ||
			len(again.Trackers) != len(m.Trackers) {
			t.Fatalf("round trip changed %+v into %+v", m, again)
		}
	})
}

func TestNormalizeInfoHash(t *testing.T) {
	for _, in := range []string{sintelHash, strings.ToUpper(sintelHash), sintelBase32, strings.ToLower(sintelBase32)} {
		if got, err := catalog.NormalizeInfoHash(in); err != nil || got != sintelHash {
			t.Errorf("NormalizeInfoHash(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := catalog.NormalizeInfoHash("abc"); err == nil {
		t.Error("short infohash accepted")
	}
}

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
				m, err := catalog.ParseMagnet(s)
				return err == nil && slices.Equal(m.Webseeds, []string{ws, "https://mirror.example/"}) &&
					slices.Equal(m.Trackers, []string{"udp://t.example:80"}) && slices.Equal(m.ExactSources, []string{xs})
			}},
		{"torrent URL before infohash", catalog.Source{TorrentURL: xs, InfoHash: sintelHash},
			func(s string) bool { return s == xs }},
		{"infohash becomes a magnet with webseeds", catalog.Source{InfoHash: strings.ToUpper(sintelHash), Webseeds: []string{ws}},
			func(s string) bool {
				m, err := catalog.ParseMagnet(s)
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
