// Package source parses what a user gives Marquee to play, the same way wherever it is
// given (the command line, "Paste magnet", My torrents, a catalog feed): a magnet link
// ("magnet:?xt=…" or "magnet://?xt=…"), a v1 info hash, the path or file:// URL of a
// .torrent file, an http(s) URL of one, the bytes of a .torrent, or a video file on disk.
//
// It is a leaf like anacrolix's metainfo package, on which it is built: it imports nothing
// of Marquee's but benscan (the shape check that runs before any bencode decoder) and
// shorten, so the engine, the catalog and the app can all use it. Its errors are *Error and
// say what is wrong with the input, for the app to word for people.
package source

import (
	"cmp"
	"encoding/base32"
	"encoding/hex"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Kind says which form of user input a Source was parsed from.
type Kind int

const (
	Magnet      Kind = iota + 1 // magnet:?xt=urn:btih:…
	InfoHash                    // bare 40-hex or 32-base32 v1 info hash
	TorrentFile                 // path (or file:// URL) of a .torrent file
	URL                         // http(s) URL of a .torrent file
)

func (k Kind) String() string {
	switch k {
	case Magnet:
		return "magnet"
	case InfoHash:
		return "info hash"
	case TorrentFile:
		return "torrent file"
	case URL:
		return "torrent URL"
	}
	return "unknown"
}

// Source is parsed user input that names a torrent. Only the fields of its Kind are set.
type Source struct {
	Kind Kind
	// InfoHash is the lowercase hex v1 info hash (magnet and info hash sources).
	InfoHash string
	// Name is the magnet's display name (dn).
	Name string
	// Trackers (tr), Webseeds (ws), MetainfoURLs (xs and as) and Peers (x.pe) of a magnet.
	// Entries with unsupported schemes are dropped: a magnet must not make us fetch file:// or
	// other non-network URLs.
	Trackers     []string
	Webseeds     []string
	MetainfoURLs []string
	Peers        []string
	// Path is the cleaned path of a .torrent file.
	Path string
	// URL is the http(s) address of a .torrent file.
	URL string
}

// Limits on text input. Real magnets with a dozen trackers are under 2 KiB.
const (
	MaxInputLength  = 64 << 10
	maxMagnetParams = 200
	maxNameLength   = 512
)

// Parse parses what a user pasted or passed on the command line: a magnet link, a v1 info
// hash (hex or base32), a path or file:// URL of a .torrent file, or an http(s) URL of one. It
// touches neither the network nor the file system (see IsLocalMedia for a video file).
func Parse(s string) (Source, error) {
	s = strings.TrimSpace(s)
	bad := func(reason string) (Source, error) {
		return Source{}, &Error{What: "torrent source", Input: Shorten(s), Reason: reason}
	}
	if reason := checkText(s); reason != "" {
		return bad(reason)
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "magnet:"):
		return parseMagnet(s)
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return bad("not a valid http(s) URL: it has no host name")
		}
		return Source{Kind: URL, URL: u.String()}, nil
	case strings.HasPrefix(lower, "file://"):
		u, err := url.Parse(s)
		if err != nil || (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") {
			return bad("not a valid file:// URL of a local .torrent file")
		}
		return Source{Kind: TorrentFile, Path: filepath.Clean(filepath.FromSlash(u.Path))}, nil
	}
	if ih, err := decodeInfoHash(s); err == "" {
		return Source{Kind: InfoHash, InfoHash: ih}, nil
	}
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], `/\`) {
		return bad("unsupported URL scheme " + strconv.Quote(s[:i]) + " (Marquee opens magnet:, http:, https: and file: links)")
	}
	if strings.HasSuffix(lower, ".torrent") || filepath.IsAbs(s) ||
		strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") {
		return Source{Kind: TorrentFile, Path: filepath.Clean(s)}, nil
	}
	if isHexOrBase32ish(s) {
		_, reason := decodeInfoHash(s)
		return bad(reason)
	}
	return bad("not a magnet link, info hash, .torrent file or http(s) URL")
}

// ParseMagnet parses a magnet link, and only that: what a catalog feed or the library stores
// as a magnet.
func ParseMagnet(s string) (Source, error) {
	s = strings.TrimSpace(s)
	if reason := checkText(s); reason != "" {
		return Source{}, &Error{What: "magnet link", Input: Shorten(s), Reason: reason}
	}
	if !strings.HasPrefix(strings.ToLower(s), "magnet:") {
		return Source{}, &Error{What: "magnet link", Input: Shorten(s), Reason: `it does not start with "magnet:?"`}
	}
	return parseMagnet(s)
}

// ParseInfoHash accepts a v1 info hash as 40 hex digits or 32 base32 characters and returns
// it as 40 lowercase hex digits.
func ParseInfoHash(s string) (string, error) {
	s = strings.TrimSpace(s)
	ih, reason := decodeInfoHash(s)
	if reason != "" {
		return "", &Error{What: "info hash", Input: Shorten(s), Reason: reason}
	}
	return ih, nil
}

func checkText(s string) (reason string) {
	switch {
	case s == "":
		return "empty input"
	case len(s) > MaxInputLength:
		return "input is longer than 64 KiB"
	case strings.ContainsFunc(s, unicode.IsControl):
		return "input contains control characters"
	}
	return ""
}

// decodeInfoHash accepts a 40-character hex or 32-character base32 v1 info hash; reason says
// what is wrong otherwise.
func decodeInfoHash(s string) (ih, reason string) {
	var b [20]byte
	switch len(s) {
	case 40:
		if _, err := hex.Decode(b[:], []byte(s)); err != nil {
			return "", "an info hash of 40 characters must be hexadecimal (0-9, a-f)"
		}
	case 32:
		n, err := base32.StdEncoding.Decode(b[:], []byte(strings.ToUpper(s)))
		if err != nil || n != 20 {
			return "", "an info hash of 32 characters must be base32 (A-Z, 2-7)"
		}
	default:
		return "", "an info hash has 40 hex or 32 base32 characters, this has " + strconv.Itoa(len(s))
	}
	return hex.EncodeToString(b[:]), ""
}

func isHexOrBase32ish(s string) bool {
	if len(s) < 16 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func parseMagnet(s string) (Source, error) {
	bad := func(reason string, err error) (Source, error) {
		return Source{}, &Error{What: "magnet link", Input: Shorten(s), Reason: reason, Err: err}
	}
	// Both "magnet:?xt=…" and the rarer "magnet://?xt=…" occur in the wild.
	rest := s[len("magnet:"):]
	rest = strings.TrimPrefix(rest, "//")
	query, ok := strings.CutPrefix(rest, "?")
	if !ok {
		return bad(`expected "magnet:?" followed by parameters`, nil)
	}
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	raw, err := url.ParseQuery(query)
	if err != nil {
		return bad("malformed parameters", err)
	}
	// BEP 9 allows numbered repeats such as xt.1 and tr.2 (but x.pe is a name of its own).
	// Keys are merged in a fixed order, the plain key and then by number, so that tr.1
	// comes before tr.2 whatever the map's order: tracker order is tier order.
	type numberedKey struct {
		raw, base string
		num       int
	}
	keys := make([]numberedKey, 0, len(raw))
	n := 0
	for key, vs := range raw {
		n += len(vs)
		k := numberedKey{raw: key, base: strings.ToLower(key), num: -1}
		if base, num, ok := strings.Cut(k.base, "."); ok && num != "" && strings.Trim(num, "0123456789") == "" {
			k.base = base
			k.num, _ = strconv.Atoi(num)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b numberedKey) int {
		return cmp.Or(strings.Compare(a.base, b.base), cmp.Compare(a.num, b.num), strings.Compare(a.raw, b.raw))
	})
	params := make(url.Values, len(raw))
	for _, k := range keys {
		params[k.base] = append(params[k.base], raw[k.raw]...)
	}
	if n > maxMagnetParams {
		return bad("too many parameters (more than "+strconv.Itoa(maxMagnetParams)+")", nil)
	}
	src := Source{Kind: Magnet}
	sawV2 := false
	for _, xt := range params["xt"] {
		lower := strings.ToLower(xt)
		switch {
		case strings.HasPrefix(lower, "urn:btih:"):
			ih, reason := decodeInfoHash(xt[len("urn:btih:"):])
			if reason != "" {
				return bad("xt=urn:btih: "+reason, nil)
			}
			if src.InfoHash != "" && src.InfoHash != ih {
				return bad("it names two different info hashes", nil)
			}
			src.InfoHash = ih
		case strings.HasPrefix(lower, "urn:btmh:"):
			sawV2 = true
		}
	}
	if src.InfoHash == "" {
		if sawV2 {
			return bad("BitTorrent v2-only magnet links (urn:btmh) are not supported", nil)
		}
		return bad("missing xt=urn:btih:<info hash>, the part that names the torrent", nil)
	}
	if dn := params.Get("dn"); dn != "" {
		src.Name = shortenName(strings.Map(dropControl, dn))
	}
	src.Trackers = KeepTrackers(params["tr"])
	src.Webseeds = KeepWebseeds(params["ws"])
	src.MetainfoURLs = keepURLs(append(params["xs"], params["as"]...), webSchemes)
	src.Peers = KeepPeers(params["x.pe"])
	return src, nil
}

// MagnetURI writes a magnet link for src's info hash, name, trackers, web seeds and
// metainfo URLs, with parameters in a stable order. ParseMagnet reads it back unchanged.
func (src Source) MagnetURI() string {
	var b strings.Builder
	b.WriteString("magnet:?xt=urn:btih:")
	b.WriteString(src.InfoHash)
	if src.Name != "" {
		b.WriteString("&dn=" + url.QueryEscape(src.Name))
	}
	for _, t := range src.Trackers {
		b.WriteString("&tr=" + url.QueryEscape(t))
	}
	for _, w := range src.Webseeds {
		b.WriteString("&ws=" + url.QueryEscape(w))
	}
	for _, x := range src.MetainfoURLs {
		b.WriteString("&xs=" + url.QueryEscape(x))
	}
	for _, p := range src.Peers {
		b.WriteString("&x.pe=" + url.QueryEscape(p))
	}
	return b.String()
}

func dropControl(r rune) rune {
	if unicode.IsControl(r) {
		return -1
	}
	return r
}

func shortenName(s string) string {
	if len(s) > maxNameLength {
		return Shorten(s[:maxNameLength])
	}
	return s
}

var (
	trackerSchemes = []string{"http", "https", "udp", "ws", "wss"}
	webSchemes     = []string{"http", "https"}
)

// KeepTrackers returns the tracker URLs a client can announce to (http, https, udp, ws,
// wss), without repeats.
func KeepTrackers(raw []string) []string { return keepURLs(raw, trackerSchemes) }

// KeepWebseeds returns the http(s) web seed URLs, without repeats: a torrent or magnet must
// not make us fetch file:// or other non-network URLs.
func KeepWebseeds(raw []string) []string { return keepURLs(raw, webSchemes) }

func keepURLs(raw []string, schemes []string) (out []string) {
	for _, r := range raw {
		u, err := url.Parse(r)
		if err != nil || u.Host == "" {
			continue
		}
		for _, s := range schemes {
			if strings.EqualFold(u.Scheme, s) {
				out = appendUnique(out, u.String())
				break
			}
		}
	}
	return out
}

// KeepPeers returns the "host:port" peer addresses with a valid port, without repeats.
func KeepPeers(raw []string) (out []string) {
	for _, a := range raw {
		if validHostPort(a) {
			out = appendUnique(out, a)
		}
	}
	return out
}

func validHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	p, err := strconv.Atoi(port)
	return err == nil && p > 0 && p < 65536
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
