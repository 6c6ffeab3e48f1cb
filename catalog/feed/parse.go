package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"marquee/catalog"
	"marquee/internal/shorten"
	"marquee/torrent/source"
)

// Feed is a parsed, valid feed. Its titles carry the feed's own IDs, with no provider
// prefix and no Provider; TitlesFor adds them.
type Feed struct {
	Version     int
	Name        string
	Description string
	Homepage    string
	Titles      []catalog.Title
}

// TitlesFor returns the feed's titles as the provider providerID lists them.
func (f Feed) TitlesFor(providerID string) []catalog.Title {
	out := make([]catalog.Title, len(f.Titles))
	for i, t := range f.Titles {
		t.ID = catalog.JoinID(providerID, t.ID)
		t.Provider = providerID
		out[i] = t
	}
	return out
}

// Problem is one rule a feed breaks, at the path of the field that breaks it.
type Problem struct {
	Path    string // e.g. "titles[2].sources[0].infohash"; "" for the document as a whole
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error lists everything wrong with a feed.
type Error struct {
	Problems []Problem
	More     int // problems found beyond those listed
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid feed: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "; and %d more problems", e.More)
	}
	return b.String()
}

// Parse reads and validates a feed. Any problem rejects the whole feed with an *Error
// naming each field at fault.
func Parse(data []byte) (Feed, error) {
	v := &validator{}
	f := v.parse(data)
	if len(v.problems) > 0 {
		return Feed{}, &Error{Problems: v.problems, More: v.more}
	}
	return f, nil
}

type wireFeed struct {
	Version     *int              `json:"version"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Homepage    string            `json:"homepage"`
	Titles      []json.RawMessage `json:"titles"`
}

type wireTitle struct {
	ID             string            `json:"id"`
	Kind           string            `json:"kind"`
	Name           string            `json:"name"`
	Year           *int              `json:"year"`
	RuntimeSeconds int64             `json:"runtime_seconds"`
	Genres         []json.RawMessage `json:"genres"`
	Synopsis       string            `json:"synopsis"`
	Poster         string            `json:"poster"`
	Backdrop       string            `json:"backdrop"`
	Licence        string            `json:"licence"`
	LicenceURL     string            `json:"licence_url"`
	Attribution    string            `json:"attribution"`
	Credit         string            `json:"credit"`
	Popularity     float64           `json:"popularity"`
	Notes          string            `json:"notes"`
	Sources        []json.RawMessage `json:"sources"`
	Seasons        []json.RawMessage `json:"seasons"`
}

type wireSeason struct {
	Number   *int              `json:"number"`
	Episodes []json.RawMessage `json:"episodes"`
}

type wireEpisode struct {
	Number         *int              `json:"number"`
	Name           string            `json:"name"`
	Synopsis       string            `json:"synopsis"`
	RuntimeSeconds int64             `json:"runtime_seconds"`
	Sources        []json.RawMessage `json:"sources"`
}

type wireSource struct {
	Magnet     string            `json:"magnet"`
	TorrentURL string            `json:"torrent_url"`
	InfoHash   string            `json:"infohash"`
	Webseeds   []json.RawMessage `json:"webseeds"`
	Trackers   []json.RawMessage `json:"trackers"`
	Quality    string            `json:"quality"`
	Size       int64             `json:"size"`
	FileIndex  *int              `json:"file_index"`
}

// likelyMeant maps common slips to the field the schema spells differently.
var likelyMeant = map[string]string{
	"license": "licence", "license_url": "licence_url", "licenseurl": "licence_url", "licence_link": "licence_url",
	"title": "name", "runtime": "runtime_seconds", "duration": "runtime_seconds", "description": "synopsis",
	"genre": "genres", "infoHash": "infohash", "info_hash": "infohash", "torrent": "torrent_url",
	"torrentUrl": "torrent_url", "url": "torrent_url", "fileIndex": "file_index", "webseed": "webseeds",
	"tracker": "trackers", "season": "seasons", "episode": "episodes", "image": "poster",
}

type validator struct {
	problems []Problem
	more     int
}

// count checks a list's length against its limit. empty says why an empty list is wrong,
// "" when it may be empty. It reports whether the items are worth checking one by one.
func (v *validator) count(path string, n, limit int, noun, empty string) bool {
	switch {
	case n == 0 && empty != "":
		v.add(path, "%s", empty)
		return false
	case n > limit:
		v.add(path, "%d %s, more than the limit of %d", n, noun, limit)
		return false
	}
	return true
}

// uniqueNumber checks a required number that is at least least and not among seen (twice
// is the message for a repeat, with the number in it), and adds it to seen. It returns
// the number, or 0 when it is wrong.
func (v *validator) uniqueNumber(path string, n *int, least int, seen map[int]bool, twice string) int {
	switch {
	case n == nil:
		v.add(path, "required")
	case *n < least:
		v.add(path, "%d must be %d or more", *n, least)
	case seen[*n]:
		v.add(path, twice, *n)
	default:
		seen[*n] = true
		return *n
	}
	return 0
}

func (v *validator) add(path, format string, args ...any) {
	if len(v.problems) >= maxProblems {
		v.more++
		return
	}
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// decode reads one JSON object strictly into dst, reporting problems at path. Keys are
// checked first, exactly: encoding/json alone would match "Name" to "name" and could
// not say where an unknown field sits.
func (v *validator) decode(path string, raw []byte, dst any) bool {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		what := "nothing"
		if len(trimmed) > 0 {
			what = jsonKindOf(trimmed[0])
		}
		v.add(path, "must be a JSON object, not %s", what)
		return false
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		v.jsonError(path, raw, err)
		return false
	}
	allowed := fieldsOf(dst)
	unknown := false
	for _, name := range slices.Sorted(maps.Keys(keys)) {
		if allowed[name] {
			continue
		}
		unknown = true
		if meant, ok := likelyMeant[name]; ok && allowed[meant] {
			v.add(path, "unknown field %q (did you mean %q?)", quoted(name), meant)
		} else {
			v.add(path, "unknown field %q", quoted(name))
		}
	}
	if unknown {
		return false
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		v.jsonError(path, raw, err)
		return false
	}
	return true
}

func (v *validator) jsonError(path string, raw []byte, err error) {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the offending byte as read.
		line, col := position(raw, max(0, syntax.Offset-1))
		v.add(path, "invalid JSON at line %d, column %d: %s", line, col, syntax.Error())
	case errors.As(err, &typeErr):
		want := "a string"
		switch typeErr.Type.Kind() {
		case reflect.Int, reflect.Int64:
			want = "a whole number"
		case reflect.Float64:
			want = "a number"
		case reflect.Slice:
			want = "a list"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
		v.add(join(path, fieldPath(typeErr.Field)), "must be %s, not %s", want, describeJSONValue(typeErr.Value))
	default:
		v.add(path, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// fieldPath turns encoding/json's "genres.2" into the "genres[2]" used in messages.
func fieldPath(field string) string {
	parts := strings.Split(field, ".")
	var b strings.Builder
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err == nil && b.Len() > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// describeJSONValue words encoding/json's description of a value ("number 2010.5",
// "array") the way the rest of the messages do.
func describeJSONValue(value string) string {
	if n, ok := strings.CutPrefix(value, "number "); ok {
		return "the number " + n
	}
	switch value {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	return value
}

func jsonKindOf(first byte) string {
	switch first {
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

var fieldCache sync.Map // reflect.Type → map[string]bool

// fieldsOf lists the JSON keys of the struct dst points to.
func fieldsOf(dst any) map[string]bool {
	t := reflect.TypeOf(dst).Elem()
	if cached, ok := fieldCache.Load(t); ok {
		return cached.(map[string]bool)
	}
	fields := make(map[string]bool)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fields[name] = true
	}
	fieldCache.Store(t, fields)
	return fields
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := 0; i < int(offset) && i < len(data); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func join(path, field string) string {
	switch {
	case field == "":
		return path
	case path == "":
		return field
	}
	return path + "." + field
}

func (v *validator) parse(data []byte) Feed {
	if len(data) > MaxSize {
		v.add("", "feed is %d bytes, more than the %d MiB limit", len(data), MaxSize>>20)
		return Feed{}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		v.add("", "not valid UTF-8 (first bad byte at offset %d)", i)
		return Feed{}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		v.add("", "feed is empty")
		return Feed{}
	}
	var w wireFeed
	if !v.decode("", data, &w) {
		return Feed{}
	}
	f := Feed{Name: w.Name, Description: w.Description, Homepage: w.Homepage}
	switch {
	case w.Version == nil:
		v.add("version", "required; this Marquee reads version %d", Version)
	case *w.Version != Version:
		v.add("version", "unsupported version %d; this Marquee reads version %d", *w.Version, Version)
	default:
		f.Version = *w.Version
	}
	v.text("name", w.Name, maxFeedName, true)
	v.text("description", w.Description, maxFeedDescription, false)
	v.url("homepage", w.Homepage, false, "http", "https")
	switch {
	case w.Titles == nil:
		v.add("titles", "required: a list of titles")
	case len(w.Titles) == 0:
		v.add("titles", "empty: a feed lists at least one title")
	case len(w.Titles) > MaxTitles:
		v.add("titles", "%d titles, more than the limit of %d", len(w.Titles), MaxTitles)
		return f
	}
	firstUse := make(map[string]string)
	for i, raw := range w.Titles {
		path := fmt.Sprintf("titles[%d]", i)
		t, ok := v.title(path, raw)
		if !ok {
			continue
		}
		if t.ID != "" {
			if other, dup := firstUse[t.ID]; dup {
				v.add(path+".id", "duplicate id %q (also used by %s)", t.ID, other)
				continue
			}
			firstUse[t.ID] = path
		}
		f.Titles = append(f.Titles, t)
	}
	return f
}

func (v *validator) title(path string, raw []byte) (catalog.Title, bool) {
	var w wireTitle
	if !v.decode(path, raw, &w) {
		return catalog.Title{}, false
	}
	before := len(v.problems) + v.more
	t := catalog.Title{
		ID: w.ID, Kind: catalog.Kind(w.Kind), Name: w.Name, Genres: v.strings(path+".genres", w.Genres), Synopsis: w.Synopsis,
		Poster: w.Poster, Backdrop: w.Backdrop, Licence: w.Licence, LicenceURL: w.LicenceURL,
		Attribution: w.Attribution, Credit: w.Credit, Popularity: w.Popularity,
		Runtime: time.Duration(w.RuntimeSeconds) * time.Second,
	}
	switch {
	case w.ID == "":
		v.add(path+".id", "required")
	case !idPattern.MatchString(w.ID):
		v.add(path+".id", "%q must be 1–%d letters, digits, '.', '_' or '-', starting with a letter or digit", quoted(w.ID), maxIDLength)
	}
	switch w.Kind {
	case string(catalog.KindMovie), string(catalog.KindSeries):
	case "":
		v.add(path+".kind", `required: "movie" or "series"`)
	default:
		v.add(path+".kind", `%q must be "movie" or "series"`, quoted(w.Kind))
	}
	v.text(path+".name", w.Name, maxTitleName, true)
	switch {
	case w.Year == nil:
		v.add(path+".year", "required")
	case *w.Year < minYear || *w.Year > maxYear:
		v.add(path+".year", "%d must be between %d and %d", *w.Year, minYear, maxYear)
	default:
		t.Year = *w.Year
	}
	v.runtime(path+".runtime_seconds", w.RuntimeSeconds)
	v.genres(path+".genres", t.Genres)
	v.text(path+".synopsis", w.Synopsis, maxSynopsis, false)
	v.url(path+".poster", w.Poster, false, "http", "https")
	v.url(path+".backdrop", w.Backdrop, false, "http", "https")
	v.text(path+".credit", w.Credit, maxCredit, false)
	v.text(path+".notes", w.Notes, maxNotes, false)
	if w.Popularity < 0 {
		v.add(path+".popularity", "%v must be 0 or more", w.Popularity)
	}
	v.licence(path, w.Licence, w.LicenceURL, w.Attribution)

	switch w.Kind {
	case string(catalog.KindMovie):
		if len(w.Seasons) > 0 {
			v.add(path+".seasons", "a movie has sources, not seasons")
		}
		t.Sources = v.sources(path+".sources", w.Sources)
	case string(catalog.KindSeries):
		if len(w.Sources) > 0 {
			v.add(path+".sources", "a series keeps its sources in its episodes")
		}
		t.Seasons = v.seasons(path+".seasons", w.Seasons)
	}
	return t, len(v.problems)+v.more == before
}

func (v *validator) licence(path, licence, licenceURL, attribution string) {
	ok, needsAttribution := catalog.OpenLicence(licence)
	switch {
	case licence == "":
		v.add(path+".licence", `required: "Public Domain", "CC0 1.0" or a Creative Commons licence such as "CC BY 4.0"`)
	case !ok:
		v.add(path+".licence", `%q is not an open licence this schema accepts; use "Public Domain", "Public Domain Mark 1.0", "CC0 1.0" or a Creative Commons licence such as "CC BY 4.0"`, quoted(licence))
	}
	if licenceURL == "" {
		v.add(path+".licence_url", "required: a link to the licence's text")
	} else if v.url(path+".licence_url", licenceURL, true, "http", "https") && strings.HasPrefix(licence, "CC") {
		u, _ := url.Parse(licenceURL)
		if host := strings.ToLower(u.Hostname()); host != "creativecommons.org" && host != "www.creativecommons.org" {
			v.add(path+".licence_url", "%q must point at creativecommons.org for a Creative Commons licence", quoted(licenceURL))
		}
	}
	if needsAttribution && attribution == "" {
		v.add(path+".attribution", "required by %s: a link to the author's page", licence)
	} else {
		v.url(path+".attribution", attribution, false, "http", "https")
	}
}

func (v *validator) seasons(path string, raws []json.RawMessage) []catalog.Season {
	if !v.count(path, len(raws), maxSeasons, "seasons", "a series needs at least one season") {
		return nil
	}
	var out []catalog.Season
	numbers := make(map[int]bool)
	for i, raw := range raws {
		sp := fmt.Sprintf("%s[%d]", path, i)
		var w wireSeason
		if !v.decode(sp, raw, &w) {
			continue
		}
		s := catalog.Season{}
		s.Number = v.uniqueNumber(sp+".number", w.Number, 0, numbers, "season %d appears twice")
		switch {
		case len(w.Episodes) == 0:
			v.add(sp+".episodes", "a season needs at least one episode")
		case len(w.Episodes) > maxEpisodes:
			v.add(sp+".episodes", "%d episodes, more than the limit of %d", len(w.Episodes), maxEpisodes)
		default:
			episodes := make(map[int]bool)
			for j, raw := range w.Episodes {
				ep := fmt.Sprintf("%s.episodes[%d]", sp, j)
				var we wireEpisode
				if !v.decode(ep, raw, &we) {
					continue
				}
				e := catalog.Episode{Name: we.Name, Synopsis: we.Synopsis, Runtime: time.Duration(we.RuntimeSeconds) * time.Second}
				e.Number = v.uniqueNumber(ep+".number", we.Number, 1, episodes, "episode %d appears twice in this season")
				v.text(ep+".name", we.Name, maxEpisodeName, false)
				v.text(ep+".synopsis", we.Synopsis, maxEpisodeSynopsis, false)
				v.runtime(ep+".runtime_seconds", we.RuntimeSeconds)
				e.Sources = v.sources(ep+".sources", we.Sources)
				s.Episodes = append(s.Episodes, e)
			}
		}
		out = append(out, s)
	}
	return out
}

func (v *validator) sources(path string, raws []json.RawMessage) []catalog.Source {
	if !v.count(path, len(raws), maxSources, "sources", "at least one source is required") {
		return nil
	}
	var out []catalog.Source
	for i, raw := range raws {
		sp := fmt.Sprintf("%s[%d]", path, i)
		var w wireSource
		if !v.decode(sp, raw, &w) {
			continue
		}
		s := catalog.Source{
			Magnet: w.Magnet, TorrentURL: w.TorrentURL,
			Webseeds: v.strings(sp+".webseeds", w.Webseeds), Trackers: v.strings(sp+".trackers", w.Trackers),
			Quality: w.Quality, Size: w.Size, FileIndex: catalog.MainFile,
		}
		if w.Magnet == "" && w.TorrentURL == "" && w.InfoHash == "" {
			v.add(sp, "needs a magnet, a torrent_url or an infohash")
		}
		var magnetHash string
		if w.Magnet != "" {
			if m, err := source.ParseMagnet(w.Magnet); err != nil {
				v.add(sp+".magnet", "%s", sourceReason(err))
			} else {
				magnetHash = m.InfoHash
			}
		}
		if w.InfoHash != "" {
			hash, err := source.ParseInfoHash(w.InfoHash)
			switch {
			case err != nil:
				v.add(sp+".infohash", "%q: %s", quoted(w.InfoHash), sourceReason(err))
			case magnetHash != "" && hash != magnetHash:
				v.add(sp+".infohash", "%s differs from the magnet's infohash %s", hash, magnetHash)
			default:
				s.InfoHash = hash
			}
		} else {
			s.InfoHash = magnetHash
		}
		v.url(sp+".torrent_url", w.TorrentURL, false, "http", "https")
		if v.count(sp+".webseeds", len(s.Webseeds), maxWebseeds, "webseeds", "") {
			for j, ws := range s.Webseeds {
				v.url(fmt.Sprintf("%s.webseeds[%d]", sp, j), ws, true, "http", "https")
			}
		}
		if v.count(sp+".trackers", len(s.Trackers), maxTrackers, "trackers", "") {
			for j, tr := range s.Trackers {
				v.url(fmt.Sprintf("%s.trackers[%d]", sp, j), tr, true, "http", "https", "udp", "ws", "wss")
			}
		}
		v.text(sp+".quality", w.Quality, maxQuality, false)
		if w.Size < 0 {
			v.add(sp+".size", "%d must be 0 or more", w.Size)
		}
		if w.FileIndex != nil {
			if *w.FileIndex < 0 || *w.FileIndex > maxFileIndex {
				v.add(sp+".file_index", "%d must be between 0 and %d; leave it out to play the main video file", *w.FileIndex, maxFileIndex)
			} else {
				s.FileIndex = *w.FileIndex
			}
		}
		out = append(out, s)
	}
	return out
}

// strings decodes a list of strings one by one, so that a wrong element is reported at
// its index.
func (v *validator) strings(path string, raws []json.RawMessage) []string {
	if raws == nil {
		return nil
	}
	out := make([]string, 0, len(raws))
	for i, raw := range raws {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			what := jsonKindOf(bytes.TrimSpace(raw)[0])
			v.add(fmt.Sprintf("%s[%d]", path, i), "must be a string, not %s", what)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (v *validator) text(path, s string, maxRunes int, required bool) {
	if strings.TrimSpace(s) == "" {
		if required {
			v.add(path, "required")
		}
		return
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		v.add(path, "%d characters, more than the limit of %d", n, maxRunes)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			v.add(path, "contains the control character %U", r)
			return
		}
	}
}

func (v *validator) runtime(path string, seconds int64) {
	if seconds < 0 || seconds > maxRuntimeSeconds {
		v.add(path, "%d must be between 0 and %d (%s)", seconds, maxRuntimeSeconds, durationWords(maxRuntimeSeconds))
	}
}

func (v *validator) genres(path string, genres []string) {
	if !v.count(path, len(genres), maxGenres, "genres", "") {
		return
	}
	seen := make(map[string]int)
	for i, g := range genres {
		gp := fmt.Sprintf("%s[%d]", path, i)
		v.text(gp, g, maxGenreLength, true)
		key := catalog.Fold(g)
		if first, dup := seen[key]; dup && key != "" {
			v.add(gp, "%q repeats %s[%d]", quoted(g), path, first)
		}
		seen[key] = i
	}
}

// url checks an optional URL (or a required one, when required) and reports whether
// it is usable.
func (v *validator) url(path, s string, required bool, schemes ...string) bool {
	if s == "" {
		if required {
			v.add(path, "required")
		}
		return false
	}
	if len(s) > maxURLLength {
		v.add(path, "URL of %d bytes, more than the limit of %d", len(s), maxURLLength)
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		v.add(path, "%q is not a URL: %v", quoted(s), unwrapURLError(err))
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	okScheme := false
	for _, want := range schemes {
		okScheme = okScheme || scheme == want
	}
	if !okScheme || u.Host == "" {
		v.add(path, "%q must be an absolute %s URL", quoted(s), strings.Join(schemes, ", "))
		return false
	}
	return true
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sourceReason is what is wrong with a magnet or info hash, without the quoted input that the
// problem's path already points at.
func sourceReason(err error) string {
	var se *source.Error
	if errors.As(err, &se) {
		return se.Reason
	}
	return err.Error()
}

// quoted cuts a value the user wrote to the length an error message quotes.
func quoted(s string) string { return shorten.Text(s, 80) }
