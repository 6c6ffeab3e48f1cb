package feed_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"marquee/assets"
	"marquee/catalog"
	"marquee/catalog/feed"
)

// validFeed is a small feed that uses every field of the schema.
const validFeed = `{
  "version": 1,
  "name": "Test Cinema",
  "description": "Films for the tests.",
  "homepage": "https://cinema.example/",
  "titles": [
    {
      "id": "sintel",
      "kind": "movie",
      "name": "Sintel",
      "year": 2010,
      "runtime_seconds": 888,
      "genres": ["Animation", "Fantasy"],
      "synopsis": "A lonely young woman searches for the baby dragon she raised.",
      "poster": "https://cinema.example/sintel.jpg",
      "licence": "CC BY 3.0",
      "licence_url": "https://creativecommons.org/licenses/by/3.0/",
      "attribution": "https://durian.blender.org/",
      "credit": "(c) copyright Blender Foundation | durian.blender.org",
      "popularity": 4000,
      "notes": "verified",
      "sources": [
        {
          "magnet": "magnet:?xt=urn:btih:08ada5a7a6183aae1e09d831df6748d566095a10&dn=Sintel",
          "torrent_url": "https://webtorrent.io/torrents/sintel.torrent",
          "webseeds": ["https://webtorrent.io/torrents/"],
          "trackers": ["udp://tracker.opentrackr.org:1337", "wss://tracker.openwebtorrent.com"],
          "quality": "1080p",
          "size": 129241752,
          "file_index": 3
        },
        { "infohash": "BCW2LJ5GDA5K4HQJ3AY56Z2I2VTASWQQ" }
      ]
    },
    {
      "id": "night_of_the_living_dead",
      "kind": "movie",
      "name": "Night of the Living Dead",
      "year": 1968,
      "genres": ["Horror"],
      "licence": "Public Domain",
      "licence_url": "https://creativecommons.org/publicdomain/mark/1.0/",
      "sources": [{ "torrent_url": "https://archive.org/download/night_of_the_living_dead/night_of_the_living_dead_archive.torrent" }]
    },
    {
      "id": "open-series",
      "kind": "series",
      "name": "Open Series",
      "year": 2020,
      "genres": ["Documentary"],
      "licence": "CC BY-SA 4.0",
      "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
      "attribution": "https://series.example/",
      "seasons": [
        { "number": 1, "episodes": [
          { "number": 1, "name": "Pilot", "runtime_seconds": 1500, "sources": [{ "infohash": "209c8226b299b308beaf2b9cd3fb49212dbd13ec" }] },
          { "number": 2, "name": "Second", "sources": [{ "infohash": "c9e15763f722f23e98a29decdfae341b98d53056", "file_index": 0 }] }
        ] }
      ]
    }
  ]
}`

func TestParseValidFeed(t *testing.T) {
	f, err := feed.Parse([]byte(validFeed))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 || f.Name != "Test Cinema" || f.Homepage != "https://cinema.example/" || len(f.Titles) != 3 {
		t.Fatalf("feed = %+v", f)
	}
	s := f.Titles[0]
	if s.ID != "sintel" || s.Kind != catalog.KindMovie || s.Year != 2010 || s.Runtime != 888*time.Second ||
		s.Licence != "CC BY 3.0" || s.Attribution != "https://durian.blender.org/" || s.Popularity != 4000 {
		t.Errorf("sintel = %+v", s)
	}
	src := s.Sources[0]
	if src.InfoHash != "08ada5a7a6183aae1e09d831df6748d566095a10" || src.FileIndex != 3 || src.Size != 129241752 ||
		src.Quality != "1080p" || len(src.Trackers) != 2 || src.Webseeds[0] != "https://webtorrent.io/torrents/" {
		t.Errorf("source 0 = %+v", src)
	}
	// A base32 infohash is normalised, and a missing file_index means the main file.
	if alt := s.Sources[1]; alt.InfoHash != "08ada5a7a6183aae1e09d831df6748d566095a10" || alt.FileIndex != catalog.MainFile {
		t.Errorf("source 1 = %+v", alt)
	}
	if n := f.Titles[1]; n.Sources[0].FileIndex != catalog.MainFile || n.Sources[0].URI() == "" || n.Runtime != 0 {
		t.Errorf("night = %+v", n)
	}
	series := f.Titles[2]
	if series.Kind != catalog.KindSeries || len(series.Seasons) != 1 || len(series.Seasons[0].Episodes) != 2 ||
		series.Seasons[0].Episodes[0].Runtime != 25*time.Minute || series.Seasons[0].Episodes[1].Sources[0].FileIndex != 0 {
		t.Errorf("series = %+v", series)
	}
	titles := f.TitlesFor("feed-abc")
	if titles[0].ID != "feed-abc:sintel" || titles[0].Provider != "feed-abc" || f.Titles[0].ID != "sintel" {
		t.Errorf("TitlesFor: %q %q (original %q)", titles[0].ID, titles[0].Provider, f.Titles[0].ID)
	}
}

// mutate applies change to the valid feed decoded as generic JSON and re-encodes it.
func mutate(t *testing.T, change func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(validFeed), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func title(doc map[string]any, i int) map[string]any {
	return doc["titles"].([]any)[i].(map[string]any)
}

func source(doc map[string]any, i, j int) map[string]any {
	return title(doc, i)["sources"].([]any)[j].(map[string]any)
}

func episode(doc map[string]any, e int) map[string]any {
	season := title(doc, 2)["seasons"].([]any)[0].(map[string]any)
	return season["episodes"].([]any)[e].(map[string]any)
}

func TestParseRejectsEachRule(t *testing.T) {
	type change = func(doc map[string]any)
	tests := []struct {
		name    string
		data    []byte       // used as is when set
		change  change       // otherwise applied to the valid feed
		problem feed.Problem // the problem expected first
	}{
		{name: "syntax", data: []byte("{\n  \"version\": 1,\n  \"name\": \"x\" oops\n}"),
			problem: feed.Problem{"", "invalid JSON at line 3, column 15"}},
		{name: "not an object", data: []byte(`[{"version":1}]`), problem: feed.Problem{"", "must be a JSON object, not a list"}},
		{name: "empty", data: []byte("  \n"), problem: feed.Problem{"", "feed is empty"}},
		{name: "too large", data: append([]byte(`{"version":1,"name":"`), bytes.Repeat([]byte("x"), feed.MaxSize)...),
			problem: feed.Problem{"", "more than the 8 MiB limit"}},
		{name: "bad UTF-8", data: []byte("{\"name\": \"caf\xe9\"}"), problem: feed.Problem{"", "not valid UTF-8 (first bad byte at offset 13)"}},
		{name: "trailing data", data: append([]byte(validFeed), []byte(` {"more": 1}`)...),
			problem: feed.Problem{"", "after top-level value"}},

		{name: "version missing", change: func(d map[string]any) { delete(d, "version") }, problem: feed.Problem{"version", "required; this Marquee reads version 1"}},
		{name: "version unsupported", change: func(d map[string]any) { d["version"] = 2 }, problem: feed.Problem{"version", "unsupported version 2; this Marquee reads version 1"}},
		{name: "version as text", change: func(d map[string]any) { d["version"] = "1" }, problem: feed.Problem{"version", "must be a whole number, not a string"}},
		{name: "name missing", change: func(d map[string]any) { delete(d, "name") }, problem: feed.Problem{"name", "required"}},
		{name: "name too long", change: func(d map[string]any) { d["name"] = strings.Repeat("é", 201) }, problem: feed.Problem{"name", "201 characters, more than the limit of 200"}},
		{name: "control character", change: func(d map[string]any) { d["name"] = "bell\a" }, problem: feed.Problem{"name", "contains the control character U+0007"}},
		{name: "homepage scheme", change: func(d map[string]any) { d["homepage"] = "ftp://cinema.example/" }, problem: feed.Problem{"homepage", `"ftp://cinema.example/" must be an absolute http, https URL`}},
		{name: "unknown top-level field", change: func(d map[string]any) { d["titels"] = []any{} }, problem: feed.Problem{"", `unknown field "titels"`}},
		{name: "titles missing", change: func(d map[string]any) { delete(d, "titles") }, problem: feed.Problem{"titles", "required: a list of titles"}},
		{name: "titles empty", change: func(d map[string]any) { d["titles"] = []any{} }, problem: feed.Problem{"titles", "empty: a feed lists at least one title"}},
		{name: "titles not a list", change: func(d map[string]any) { d["titles"] = map[string]any{} }, problem: feed.Problem{"titles", "must be a list, not an object"}},
		{name: "title not an object", change: func(d map[string]any) { d["titles"].([]any)[1] = "sintel" }, problem: feed.Problem{"titles[1]", "must be a JSON object, not a string"}},
		{name: "misspelt field gets a hint", change: func(d map[string]any) { title(d, 1)["license"] = "PD" }, problem: feed.Problem{"titles[1]", `unknown field "license" (did you mean "licence"?)`}},
		{name: "field names are case-sensitive", change: func(d map[string]any) { title(d, 1)["Name"] = title(d, 1)["name"] }, problem: feed.Problem{"titles[1]", `unknown field "Name"`}},

		{name: "id missing", change: func(d map[string]any) { delete(title(d, 0), "id") }, problem: feed.Problem{"titles[0].id", "required"}},
		{name: "id characters", change: func(d map[string]any) { title(d, 0)["id"] = "sin tel:1" }, problem: feed.Problem{"titles[0].id", `"sin tel:1" must be 1–128 letters, digits`}},
		{name: "id duplicate", change: func(d map[string]any) { title(d, 1)["id"] = "sintel" }, problem: feed.Problem{"titles[1].id", `duplicate id "sintel" (also used by titles[0])`}},
		{name: "kind missing", change: func(d map[string]any) { delete(title(d, 0), "kind") }, problem: feed.Problem{"titles[0].kind", `required: "movie" or "series"`}},
		{name: "kind unknown", change: func(d map[string]any) { title(d, 0)["kind"] = "short" }, problem: feed.Problem{"titles[0].kind", `"short" must be "movie" or "series"`}},
		{name: "title name missing", change: func(d map[string]any) { title(d, 0)["name"] = "  " }, problem: feed.Problem{"titles[0].name", "required"}},
		{name: "year missing", change: func(d map[string]any) { delete(title(d, 0), "year") }, problem: feed.Problem{"titles[0].year", "required"}},
		{name: "year range", change: func(d map[string]any) { title(d, 0)["year"] = 1066 }, problem: feed.Problem{"titles[0].year", "1066 must be between 1870 and 2100"}},
		{name: "year text", change: func(d map[string]any) { title(d, 0)["year"] = "2010" }, problem: feed.Problem{"titles[0].year", "must be a whole number, not a string"}},
		{name: "year fraction", change: func(d map[string]any) { title(d, 0)["year"] = 2010.5 }, problem: feed.Problem{"titles[0].year", "must be a whole number, not the number 2010.5"}},
		{name: "runtime", change: func(d map[string]any) { title(d, 0)["runtime_seconds"] = -5 }, problem: feed.Problem{"titles[0].runtime_seconds", "-5 must be between 0 and 86400"}},
		{name: "too many genres", change: func(d map[string]any) {
			var g []any
			for i := range 17 {
				g = append(g, fmt.Sprint("g", i))
			}
			title(d, 0)["genres"] = g
		}, problem: feed.Problem{"titles[0].genres", "17 genres, more than the limit of 16"}},
		{name: "empty genre", change: func(d map[string]any) { title(d, 0)["genres"] = []any{"Drama", ""} }, problem: feed.Problem{"titles[0].genres[1]", "required"}},
		{name: "genre not text", change: func(d map[string]any) { title(d, 0)["genres"] = []any{"Drama", 7} }, problem: feed.Problem{"titles[0].genres[1]", "must be a string, not a number"}},
		{name: "repeated genre", change: func(d map[string]any) { title(d, 0)["genres"] = []any{"Sci-Fi", "sci fi"} }, problem: feed.Problem{"titles[0].genres[1]", `"sci fi" repeats titles[0].genres[0]`}},
		{name: "synopsis length", change: func(d map[string]any) { title(d, 0)["synopsis"] = strings.Repeat("a", 5001) }, problem: feed.Problem{"titles[0].synopsis", "5001 characters, more than the limit of 5000"}},
		{name: "poster scheme", change: func(d map[string]any) { title(d, 0)["poster"] = "javascript:alert(1)" }, problem: feed.Problem{"titles[0].poster", "must be an absolute http, https URL"}},
		{name: "popularity", change: func(d map[string]any) { title(d, 0)["popularity"] = -1 }, problem: feed.Problem{"titles[0].popularity", "-1 must be 0 or more"}},

		{name: "licence missing", change: func(d map[string]any) { delete(title(d, 1), "licence") }, problem: feed.Problem{"titles[1].licence", "required"}},
		{name: "licence not open", change: func(d map[string]any) { title(d, 1)["licence"] = "All rights reserved" }, problem: feed.Problem{"titles[1].licence", `"All rights reserved" is not an open licence`}},
		{name: "licence url missing", change: func(d map[string]any) { delete(title(d, 1), "licence_url") }, problem: feed.Problem{"titles[1].licence_url", "required: a link to the licence's text"}},
		{name: "cc licence url elsewhere", change: func(d map[string]any) { title(d, 0)["licence_url"] = "https://example.com/cc-by" }, problem: feed.Problem{"titles[0].licence_url", "must point at creativecommons.org for a Creative Commons licence"}},
		{name: "attribution required by CC BY", change: func(d map[string]any) { delete(title(d, 0), "attribution") }, problem: feed.Problem{"titles[0].attribution", "required by CC BY 3.0: a link to the author's page"}},

		{name: "movie without sources", change: func(d map[string]any) { delete(title(d, 1), "sources") }, problem: feed.Problem{"titles[1].sources", "at least one source is required"}},
		{name: "movie with seasons", change: func(d map[string]any) { title(d, 1)["seasons"] = title(d, 2)["seasons"] }, problem: feed.Problem{"titles[1].seasons", "a movie has sources, not seasons"}},
		{name: "series without seasons", change: func(d map[string]any) { delete(title(d, 2), "seasons") }, problem: feed.Problem{"titles[2].seasons", "a series needs at least one season"}},
		{name: "series with sources", change: func(d map[string]any) { title(d, 2)["sources"] = title(d, 1)["sources"] }, problem: feed.Problem{"titles[2].sources", "a series keeps its sources in its episodes"}},
		{name: "season number", change: func(d map[string]any) {
			delete(title(d, 2)["seasons"].([]any)[0].(map[string]any), "number")
		}, problem: feed.Problem{"titles[2].seasons[0].number", "required"}},
		{name: "season twice", change: func(d map[string]any) {
			s := title(d, 2)["seasons"].([]any)
			title(d, 2)["seasons"] = append(s, s[0])
		}, problem: feed.Problem{"titles[2].seasons[1].number", "season 1 appears twice"}},
		{name: "season without episodes", change: func(d map[string]any) {
			title(d, 2)["seasons"].([]any)[0].(map[string]any)["episodes"] = []any{}
		}, problem: feed.Problem{"titles[2].seasons[0].episodes", "a season needs at least one episode"}},
		{name: "episode number", change: func(d map[string]any) { episode(d, 1)["number"] = 0 }, problem: feed.Problem{"titles[2].seasons[0].episodes[1].number", "0 must be 1 or more"}},
		{name: "episode twice", change: func(d map[string]any) { episode(d, 1)["number"] = 1 }, problem: feed.Problem{"titles[2].seasons[0].episodes[1].number", "episode 1 appears twice in this season"}},
		{name: "episode without sources", change: func(d map[string]any) { delete(episode(d, 0), "sources") }, problem: feed.Problem{"titles[2].seasons[0].episodes[0].sources", "at least one source is required"}},

		{name: "source empty", change: func(d map[string]any) { title(d, 1)["sources"] = []any{map[string]any{"quality": "720p"}} }, problem: feed.Problem{"titles[1].sources[0]", "needs a magnet, a torrent_url or an infohash"}},
		{name: "magnet", change: func(d map[string]any) { source(d, 0, 0)["magnet"] = "magnet:?dn=nohash" }, problem: feed.Problem{"titles[0].sources[0].magnet", "missing xt=urn:btih:"}},
		{name: "infohash", change: func(d map[string]any) { source(d, 0, 1)["infohash"] = "abc" }, problem: feed.Problem{"titles[0].sources[1].infohash", `"abc": an info hash has 40 hex or 32 base32 characters, this has 3`}},
		{name: "infohash against magnet", change: func(d map[string]any) { source(d, 0, 0)["infohash"] = strings.Repeat("a", 40) }, problem: feed.Problem{"titles[0].sources[0].infohash", "differs from the magnet's infohash 08ada5a7"}},
		{name: "local torrent path", change: func(d map[string]any) { source(d, 1, 0)["torrent_url"] = "file:///etc/passwd" }, problem: feed.Problem{"titles[1].sources[0].torrent_url", "must be an absolute http, https URL"}},
		{name: "webseed", change: func(d map[string]any) { source(d, 0, 0)["webseeds"] = []any{"webtorrent.io/torrents/"} }, problem: feed.Problem{"titles[0].sources[0].webseeds[0]", "must be an absolute http, https URL"}},
		{name: "tracker scheme", change: func(d map[string]any) { source(d, 0, 0)["trackers"] = []any{"ftp://tracker.example/"} }, problem: feed.Problem{"titles[0].sources[0].trackers[0]", "must be an absolute http, https, udp, ws, wss URL"}},
		{name: "quality length", change: func(d map[string]any) { source(d, 0, 0)["quality"] = strings.Repeat("q", 21) }, problem: feed.Problem{"titles[0].sources[0].quality", "21 characters, more than the limit of 20"}},
		{name: "size", change: func(d map[string]any) { source(d, 0, 0)["size"] = -1 }, problem: feed.Problem{"titles[0].sources[0].size", "-1 must be 0 or more"}},
		{name: "file index", change: func(d map[string]any) { source(d, 0, 0)["file_index"] = -1 }, problem: feed.Problem{"titles[0].sources[0].file_index", "-1 must be between 0 and 100000; leave it out to play the main video file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if data == nil {
				data = mutate(t, tt.change)
			}
			_, err := feed.Parse(data)
			var fe *feed.Error
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("Parse accepted it (err %v)", err)
			}
			got := fe.Problems[0]
			if got.Path != tt.problem.Path || !strings.Contains(got.Message, tt.problem.Message) {
				t.Errorf("first problem = %q, want path %q with %q\n(all: %v)", got.String(), tt.problem.Path, tt.problem.Message, err)
			}
			if !strings.Contains(err.Error(), got.String()) {
				t.Errorf("error text %q does not include %q", err, got)
			}
		})
	}
}

func TestParseReportsEveryProblemUpToALimit(t *testing.T) {
	data := mutate(t, func(d map[string]any) {
		var titles []any
		for i := range 40 {
			titles = append(titles, map[string]any{"id": fmt.Sprint("t", i), "kind": "movie", "name": "X", "year": 1,
				"licence": "Public Domain", "licence_url": "https://creativecommons.org/publicdomain/mark/1.0/",
				"sources": []any{map[string]any{"infohash": strings.Repeat("a", 40)}}})
		}
		d["titles"] = titles
	})
	_, err := feed.Parse(data)
	var fe *feed.Error
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
	if len(fe.Problems) != 25 || fe.More != 15 || !strings.HasSuffix(err.Error(), "; and 15 more problems") {
		t.Errorf("%d problems listed, %d more; error ends %q", len(fe.Problems), fe.More, err.Error()[max(0, len(err.Error())-40):])
	}
	if fe.Problems[24].Path != "titles[24].year" {
		t.Errorf("25th problem at %q", fe.Problems[24].Path)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	f, err := feed.Parse([]byte(validFeed))
	if err != nil {
		t.Fatal(err)
	}
	out, err := feed.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	again, err := feed.Parse(out)
	if err != nil {
		t.Fatalf("Marshal wrote a feed Parse rejects: %v\n%s", err, out)
	}
	out2, _ := feed.Marshal(again)
	if !bytes.Equal(out, out2) {
		t.Errorf("round trip changed the feed:\n%s\n---\n%s", out, out2)
	}
}

func TestOpenLicence(t *testing.T) {
	for licence, want := range map[string][2]bool{
		"Public Domain": {true, false}, "CC0 1.0": {true, false}, "CC BY 2.5": {true, true},
		"CC BY-NC-ND 4.0": {true, true}, "CC BY 3.0 US": {true, true}, "CC BY 5.0": {false, false},
		"cc by 4.0": {false, false}, "GPL": {false, false}, "": {false, false},
	} {
		ok, attr := catalog.OpenLicence(licence)
		if ok != want[0] || attr != want[1] {
			t.Errorf("OpenLicence(%q) = %v, %v; want %v", licence, ok, attr, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(validFeed))
	f.Add(assets.CatalogJSON)
	f.Add([]byte(`{"version":1,"name":"x","titles":[{"id":"a","kind":"series","name":"A","year":1999,"licence":"CC0 1.0","licence_url":"https://creativecommons.org/publicdomain/zero/1.0/","seasons":[{"number":0,"episodes":[{"number":1,"sources":[{"infohash":"` + strings.Repeat("b", 40) + `"}]}]}]}]}`))
	f.Add([]byte(`{"version":1,"titles":[{"sources":[{"magnet":"magnet:?xt=urn:btih:x"}]}]}`))
	f.Add([]byte(`{"version":"1","titles":{}}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, err := feed.Parse(data)
		if err != nil {
			var fe *feed.Error
			if !errors.As(err, &fe) || len(fe.Problems) == 0 || err.Error() == "" {
				t.Fatalf("error without problems: %#v", err)
			}
			return
		}
		ids := make(map[string]bool)
		for _, title := range parsed.Titles {
			if ids[title.ID] || title.Name == "" || !title.Playable() {
				t.Fatalf("accepted a bad title: %+v", title)
			}
			ids[title.ID] = true
			if ok, _ := catalog.OpenLicence(title.Licence); !ok {
				t.Fatalf("accepted licence %q", title.Licence)
			}
			for _, s := range title.Sources {
				if s.URI() == "" || s.FileIndex < catalog.MainFile {
					t.Fatalf("accepted source %+v", s)
				}
			}
		}
		// Whatever Parse accepts, Marshal writes back into an equivalent feed.
		out, err := feed.Marshal(parsed)
		if err != nil {
			t.Fatal(err)
		}
		again, err := feed.Parse(out)
		if err != nil {
			t.Fatalf("Marshal output rejected: %v", err)
		}
		if out2, _ := feed.Marshal(again); !bytes.Equal(out, out2) {
			t.Fatal("round trip is not stable")
		}
	})
}
