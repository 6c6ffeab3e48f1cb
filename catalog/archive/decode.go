package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"marquee/catalog"
	"marquee/internal/shorten"
	"marquee/torrent/source"
)

// flex is a metadata value that the archive writes as a string, a number, or a list of
// either, depending on the item: "year": "1968", "year": 1968 and "year": ["1968"] all
// occur. Shapes it does not expect (objects, nested lists) decode as nothing rather
// than failing the whole response.
type flex []string

func (f *flex) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flex{s}
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		var out flex
		for _, item := range items {
			var one flex
			if len(bytes.TrimSpace(item)) > 0 && bytes.TrimSpace(item)[0] != '[' {
				if err := one.UnmarshalJSON(item); err == nil {
					out = append(out, one...)
				}
			}
		}
		*f = out
	case 't', 'f':
		*f = flex{string(b)}
	case 'n', '{':
		*f = nil
	default: // a number: keep its text, so big integers lose nothing
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flex{n.String()}
	}
	return nil
}

func (f flex) first() string {
	for _, s := range f {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// searchResponse is advancedsearch.php's JSON output.
type searchResponse struct {
	ResponseHeader struct {
		Status int `json:"status"`
	} `json:"responseHeader"`
	Response *struct {
		NumFound int         `json:"numFound"`
		Start    int         `json:"start"`
		Docs     []searchDoc `json:"docs"`
	} `json:"response"`
	Error flex `json:"error"`
}

type searchDoc struct {
	Identifier  flex `json:"identifier"`
	Title       flex `json:"title"`
	Year        flex `json:"year"`
	Date        flex `json:"date"`
	Description flex `json:"description"`
	Subject     flex `json:"subject"`
	Downloads   flex `json:"downloads"`
	LicenseURL  flex `json:"licenseurl"`
	Runtime     flex `json:"runtime"`
}

// decodeSearch turns a search response into titles. Items without an open licence or
// a usable identifier are left out: they do not belong in the catalog.
func decodeSearch(data []byte, base string) (titles []catalog.Title, numFound int, err error) {
	var r searchResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, 0, fmt.Errorf("unreadable search response: %w", err)
	}
	if msg := r.Error.first(); msg != "" {
		return nil, 0, fmt.Errorf("search refused: %s", shorten.Text(msg, 200))
	}
	if r.ResponseHeader.Status != 0 {
		return nil, 0, fmt.Errorf("search failed with status %d", r.ResponseHeader.Status)
	}
	if r.Response == nil {
		return nil, 0, errors.New("search response has no results section")
	}
	for _, d := range r.Response.Docs {
		if t, ok := d.title(base); ok {
			titles = append(titles, t)
		}
	}
	return titles, max(r.Response.NumFound, 0), nil
}

var identifierPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func (d searchDoc) title(base string) (catalog.Title, bool) {
	id := d.Identifier.first()
	if !identifierPattern.MatchString(id) {
		return catalog.Title{}, false
	}
	licence, licenceURL, ok := licenceFromURL(d.LicenseURL.first())
	if !ok {
		return catalog.Title{}, false
	}
	name := cleanText(d.Title.first(), 300)
	if name == "" {
		name = id
	}
	year := yearOf(d.Year)
	if year == 0 {
		year = yearOf(d.Date)
	}
	popularity, _ := strconv.ParseFloat(d.Downloads.first(), 64)
	return catalog.Title{
		ID:          catalog.JoinID(ID, id),
		Provider:    ID,
		Kind:        catalog.KindMovie,
		Name:        name,
		Year:        year,
		Runtime:     parseRuntime(d.Runtime.first()),
		Genres:      genresOf(d.Subject),
		Synopsis:    cleanText(strings.Join(d.Description, "\n"), 1500),
		Poster:      base + "/services/img/" + id,
		Licence:     licence,
		LicenceURL:  licenceURL,
		Attribution: base + "/details/" + id,
		Popularity:  max(popularity, 0),
		Sources:     []catalog.Source{itemSource(base, id)},
	}, true
}

// itemSource is the item's own torrent: archive.org publishes one per item, with
// url-list webseeds pointing back at its servers, so a title plays with no peers.
func itemSource(base, id string) catalog.Source {
	return catalog.Source{
		TorrentURL: base + "/download/" + id + "/" + id + "_archive.torrent",
		Webseeds:   []string{base + "/download/"},
		FileIndex:  catalog.MainFile,
	}
}

// metadataResponse is /metadata/<identifier>. A missing item is "{}".
type metadataResponse struct {
	Files    []metadataFile `json:"files"`
	Metadata *searchDoc     `json:"metadata"`
	IsDark   bool           `json:"is_dark"`
	Error    flex           `json:"error"`
}

type metadataFile struct {
	Name   flex `json:"name"`
	Source flex `json:"source"`
	Format flex `json:"format"`
	Size   flex `json:"size"`
	Length flex `json:"length"`
	Height flex `json:"height"`
	BTIH   flex `json:"btih"`
}

var videoExtensions = []string{".mp4", ".m4v", ".mkv", ".webm", ".ogv", ".avi", ".mpeg", ".mpg", ".mov"}

// decodeMetadata builds the full title of one item: the search fields plus what the
// file list tells (infohash, size and quality of the main video, runtime).
func decodeMetadata(data []byte, base, id string) (catalog.Title, error) {
	var r metadataResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return catalog.Title{}, fmt.Errorf("unreadable metadata for %s: %w", id, err)
	}
	if msg := r.Error.first(); msg != "" {
		return catalog.Title{}, fmt.Errorf("metadata for %s: %s", id, shorten.Text(msg, 200))
	}
	if r.Metadata == nil || r.IsDark {
		return catalog.Title{}, fmt.Errorf("%s: no such item: %w", id, catalog.ErrNotFound)
	}
	doc := *r.Metadata
	if got := doc.Identifier.first(); got != "" && got != id {
		return catalog.Title{}, fmt.Errorf("metadata for %s describes %q", id, shorten.Text(got, 100))
	}
	doc.Identifier = flex{id}
	t, ok := doc.title(base)
	if !ok {
		return catalog.Title{}, fmt.Errorf("%s has no open licence (licenseurl %q), so it is not in the catalog: %w",
			id, shorten.Text(doc.LicenseURL.first(), 200), catalog.ErrNotFound)
	}
	src := &t.Sources[0]
	var video *metadataFile
	var videoSize int64
	for i := range r.Files {
		f := &r.Files[i]
		name := f.Name.first()
		if f.Format.first() == "Archive BitTorrent" {
			if hash, err := source.ParseInfoHash(f.BTIH.first()); err == nil {
				src.InfoHash = hash
			}
			continue
		}
		if !slices.Contains(videoExtensions, strings.ToLower(path.Ext(name))) {
			continue
		}
		size, _ := strconv.ParseInt(f.Size.first(), 10, 64)
		if video == nil || size > videoSize {
			video, videoSize = f, size
		}
	}
	if video != nil {
		// The engine plays the largest video file of the torrent: describe that one.
		src.Size = max(videoSize, 0)
		height, _ := strconv.Atoi(video.Height.first())
		src.Quality = catalog.QualityLabel(height)
		if t.Runtime == 0 {
			t.Runtime = parseRuntime(video.Length.first())
		}
	}
	return t, nil
}

var yearPattern = regexp.MustCompile(`\b(1[89]\d\d|20\d\d|2100)\b`)

func yearOf(values flex) int {
	for _, v := range values {
		if m := yearPattern.FindString(v); m != "" {
			if y, _ := strconv.Atoi(m); y >= 1870 && y <= 2100 {
				return y
			}
		}
	}
	return 0
}

var (
	clockPattern   = regexp.MustCompile(`^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?$`)
	minutesPattern = regexp.MustCompile(`^(\d{1,4})\s*(?:min|mins|minutes|m)\.?$`)
	hoursPattern   = regexp.MustCompile(`^(\d{1,2})\s*h(?:ours?|rs?)?\.?\s*(\d{1,2})?\s*(?:min|mins|minutes|m)?\.?$`)
)

// parseRuntime reads the archive's runtime spellings: "1:35:44", "95:10", "95 min",
// "1h 35m", "5744.12" (seconds, as in file lengths). Anything else, or more than a day,
// is unknown (0).
func parseRuntime(s string) time.Duration {
	s = strings.ToLower(strings.TrimSpace(s))
	var d time.Duration
	if m := clockPattern.FindStringSubmatch(s); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if m[3] != "" {
			c, _ := strconv.Atoi(m[3])
			d = time.Duration(a)*time.Hour + time.Duration(b)*time.Minute + time.Duration(c)*time.Second
		} else {
			d = time.Duration(a)*time.Minute + time.Duration(b)*time.Second
		}
	} else if m := minutesPattern.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		d = time.Duration(n) * time.Minute
	} else if m := hoursPattern.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mins, _ := strconv.Atoi(m[2])
		d = time.Duration(h)*time.Hour + time.Duration(mins)*time.Minute
	} else if secs, err := strconv.ParseFloat(s, 64); err == nil && secs > 0 && secs < 1e6 {
		d = time.Duration(secs * float64(time.Second)).Round(time.Second)
	}
	if d <= 0 || d > 24*time.Hour {
		return 0
	}
	return d
}

var ccPath = regexp.MustCompile(`^licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/(1\.0|2\.0|2\.5|3\.0|4\.0)(?:/([a-z]{2}))?/?$`)

// licenceFromURL names the licence behind an item's licenseurl. Only public-domain and
// Creative Commons URLs qualify; anything else (no licence, "all rights reserved",
// custom terms) keeps the item out of the catalog.
func licenceFromURL(raw string) (name, canonical string, ok bool) {
	raw = strings.TrimSpace(strings.ToLower(raw))
	rest, found := strings.CutPrefix(raw, "https://")
	if !found {
		rest, found = strings.CutPrefix(raw, "http://")
	}
	if !found {
		return "", "", false
	}
	rest = strings.TrimPrefix(rest, "www.")
	p, found := strings.CutPrefix(rest, "creativecommons.org/")
	if !found {
		return "", "", false
	}
	p = strings.TrimSuffix(strings.SplitN(p, "?", 2)[0], "/")
	switch p {
	case "publicdomain/mark/1.0":
		name = "Public Domain Mark 1.0"
	case "publicdomain/zero/1.0":
		name = "CC0 1.0"
	case "licenses/publicdomain":
		name = "Public Domain"
	default:
		m := ccPath.FindStringSubmatch(p)
		if m == nil {
			return "", "", false
		}
		name = "CC " + strings.ToUpper(m[1]) + " " + m[2]
		if m[3] != "" {
			name += " " + strings.ToUpper(m[3])
		}
	}
	if ok, _ := catalog.OpenLicence(name); !ok {
		return "", "", false
	}
	return name, "https://creativecommons.org/" + p + "/", true
}

// cleanText turns a description (often HTML) into plain text of at most maxRunes.
func cleanText(s string, maxRunes int) string {
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
			b.WriteByte(' ')
		case r == '>' && inTag:
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	text := strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
	return shorten.Text(text, maxRunes)
}
