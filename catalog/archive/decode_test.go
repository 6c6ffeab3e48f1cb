package archive

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/catalog"
)

func TestFlexShapes(t *testing.T) {
	for in, want := range map[string]flex{
		`"1968"`:                   {"1968"},
		`1968`:                     {"1968"},
		`12345678901234567890`:     {"12345678901234567890"},
		`["a", 2, ["nested"], {}]`: {"a", "2"},
		`null`:                     nil,
		`{"x":1}`:                  nil,
		`true`:                     {"true"},
	} {
		var f flex
		if err := json.Unmarshal([]byte(in), &f); err != nil || !slices.Equal(f, want) {
			t.Errorf("%s: %q, %v; want %q", in, f, err, want)
		}
	}
}

func TestParseRuntime(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1:35:44":   time.Hour + 35*time.Minute + 44*time.Second,
		"01:16:03":  time.Hour + 16*time.Minute + 3*time.Second,
		"95:10":     95*time.Minute + 10*time.Second,
		"92 min":    92 * time.Minute,
		"68 mins.":  68 * time.Minute,
		"1h 35m":    time.Hour + 35*time.Minute,
		"2 hours":   2 * time.Hour,
		"5744.12":   5744 * time.Second,
		"":          0,
		"unknown":   0,
		"99:99:99":  0, // more than a day
		"-5":        0,
		"1e300":     0,
		"0:00:00.5": 0,
	} {
		if got := parseRuntime(in); got != want {
			t.Errorf("parseRuntime(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestLicenceFromURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://creativecommons.org/publicdomain/mark/1.0/":         "Public Domain Mark 1.0",
		"https://creativecommons.org/publicdomain/zero/1.0":         "CC0 1.0",
		"http://creativecommons.org/licenses/publicdomain/":         "Public Domain",
		"http://creativecommons.org/licenses/by/2.5/":               "CC BY 2.5",
		"https://www.creativecommons.org/licenses/by-nc-nd/3.0/us/": "CC BY-NC-ND 3.0 US",
		"HTTP://CREATIVECOMMONS.ORG/LICENSES/BY-SA/4.0/":            "CC BY-SA 4.0",
		"http://creativecommons.org/licenses/sampling+/1.0/":        "",
		"http://creativecommons.org/licenses/by/9.0/":               "",
		"https://example.com/creativecommons.org/licenses/by/4.0/":  "",
		"creativecommons.org/licenses/by/4.0/":                      "",
		"":                                                          "",
	} {
		got, canonical, ok := licenceFromURL(in)
		if got != want || ok != (want != "") {
			t.Errorf("licenceFromURL(%q) = %q, %v", in, got, ok)
		}
		if ok && !strings.HasPrefix(canonical, "https://creativecommons.org/") {
			t.Errorf("canonical URL %q", canonical)
		}
	}
}

func TestGenresOf(t *testing.T) {
	got := genresOf(flex{"Sci-Fi; horror", "Film noir, crime", "Warhol", "civil war", "Vampires|Westerns"})
	want := []string{"Crime", "Film Noir", "Horror", "Sci-Fi", "War", "Western"}
	if !slices.Equal(got, want) {
		t.Errorf("genresOf = %q, want %q", got, want)
	}
}

func TestCleanText(t *testing.T) {
	in := "<p>Line one<br/>line&nbsp;two &amp; <b>three</b></p>\n\n" + strings.Repeat("é", 2000)
	got := cleanText(in, 40)
	if !strings.HasPrefix(got, "Line one line two & three éé") || len([]rune(got)) != 40 || !strings.HasSuffix(got, "…") {
		t.Errorf("cleanText = %q", got)
	}
}

func seeds(f *testing.F, pattern string) {
	files, _ := os.ReadDir("testdata")
	for _, file := range files {
		if strings.HasPrefix(file.Name(), pattern) {
			data, err := os.ReadFile("testdata/" + file.Name())
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

func FuzzDecodeSearch(f *testing.F) {
	seeds(f, "search_")
	f.Add([]byte(`{"responseHeader":{"status":0},"response":{"numFound":-4,"docs":[{"identifier":["x"],"title":7,"year":[1],"downloads":"n","licenseurl":["http://creativecommons.org/licenses/by/3.0/"]}]}}`))
	f.Add([]byte(`{"error":["a",{"b":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		titles, numFound, err := decodeSearch(data, "https://archive.org")
		if err != nil {
			return
		}
		if numFound < 0 {
			t.Fatalf("numFound %d", numFound)
		}
		for _, title := range titles {
			checkTitle(t, title)
		}
	})
}

func FuzzDecodeMetadata(f *testing.F) {
	seeds(f, "metadata_")
	f.Add([]byte(`{"metadata":{"licenseurl":"http://creativecommons.org/publicdomain/zero/1.0/","runtime":"9:99"},"files":[{"name":"a.MKV","size":"-5","height":"99999999999"},{"format":"Archive BitTorrent","btih":"zz"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		title, err := decodeMetadata(data, "https://archive.org", "night_of_the_living_dead")
		if err != nil {
			return
		}
		checkTitle(t, title)
		if title.ID != "archive:night_of_the_living_dead" {
			t.Fatalf("ID %q", title.ID)
		}
	})
}

func checkTitle(t *testing.T, title catalog.Title) {
	t.Helper()
	if _, local, ok := catalog.SplitID(title.ID); !ok || !identifierPattern.MatchString(local) || title.Name == "" {
		t.Fatalf("bad title %+v", title)
	}
	if ok, _ := catalog.OpenLicence(title.Licence); !ok {
		t.Fatalf("licence %q", title.Licence)
	}
	if title.Year != 0 && (title.Year < 1870 || title.Year > 2100) || title.Runtime < 0 || title.Runtime > 24*time.Hour || title.Popularity < 0 {
		t.Fatalf("values out of range: %+v", title)
	}
	if len(title.Sources) != 1 || title.Sources[0].URI() == "" || title.Sources[0].Size < 0 {
		t.Fatalf("sources %+v", title.Sources)
	}
}
