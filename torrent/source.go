package torrent

import (
	"encoding/base32"
	"encoding/hex"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// SourceKind says which form of user input a Source was parsed from.
type SourceKind int

const (
	SourceMagnet      SourceKind = iota + 1 // magnet:?xt=urn:btih:…
	SourceInfoHash                          // bare 40-hex or 32-base32 v1 info hash
	SourceTorrentFile                       // path (or file:// URL) of a .torrent file
	SourceURL                               // http(s) URL of a .torrent file
)

func (k SourceKind) String() string {
	switch k {
	case SourceMagnet:
		return "magnet"
	case SourceInfoHash:
		return "info hash"
	case SourceTorrentFile:
		return "torrent file"
	case SourceURL:
		return "torrent URL"
	}
	return "unknown"
}

// Source is parsed user input that names a torrent. Only the fields of its Kind are set.
type Source struct {
	Kind SourceKind
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

const (
	maxSourceLength = 64 << 10
	maxMagnetParams = 200
)

// ParseSource parses what a user pasted or passed on the command line: a magnet link, a v1 info
// hash (hex or base32), a path or file:// URL of a .torrent file, or an http(s) URL of one. It
// touches neither the network nor the file system.
func ParseSource(s string) (Source, error) {
	s = strings.TrimSpace(s)
	bad := func(reason string) (Source, error) {
		return Source{}, &ParseError{What: "torrent source", Input: shorten(s), Reason: reason}
	}
	switch {
	case s == "":
		return bad("empty input")
	case len(s) > maxSourceLength:
		return bad("input is longer than 64 KiB")
	case strings.ContainsFunc(s, unicode.IsControl):
		return bad("input contains control characters")
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "magnet:"):
		return parseMagnet(s)
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return bad("not a valid http(s) URL")
		}
		return Source{Kind: SourceURL, URL: u.String()}, nil
	case strings.HasPrefix(lower, "file://"):
		u, err := url.Parse(s)
		if err != nil || (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") {
			return bad("not a valid file:// URL of a local .torrent file")
		}
		return Source{Kind: SourceTorrentFile, Path: filepath.Clean(filepath.FromSlash(u.Path))}, nil
	}
	if ih, ok := decodeInfoHash(s); ok {
		return Source{Kind: SourceInfoHash, InfoHash: ih}, nil
	}
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], `/\`) {
		return bad("unsupported URL scheme " + strconv.Quote(s[:i]))
	}
	if strings.HasSuffix(lower, ".torrent") || filepath.IsAbs(s) ||
		strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") {
		return Source{Kind: SourceTorrentFile, Path: filepath.Clean(s)}, nil
	}
	if isHexOrBase32ish(s) {
		return bad("an info hash has 40 hex or 32 base32 characters, this has " + strconv.Itoa(len(s)))
	}
	return bad("not a magnet link, info hash, .torrent file or http(s) URL")
}

// decodeInfoHash accepts a 40-character hex or 32-character base32 v1 info hash.
func decodeInfoHash(s string) (string, bool) {
	var b [20]byte
	switch len(s) {
	case 40:
		if _, err := hex.Decode(b[:], []byte(s)); err != nil {
			return "", false
		}
	case 32:
		n, err := base32.StdEncoding.Decode(b[:], []byte(strings.ToUpper(s)))
		if err != nil || n != 20 {
			return "", false
		}
	default:
		return "", false
	}
	return hex.EncodeToString(b[:]), true
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
		return Source{}, &ParseError{What: "magnet link", Input: shorten(s), Reason: reason, Err: err}
	}
	// Both "magnet:?xt=…" and the rarer "magnet://?xt=…" occur in the wild.
	rest := s[len("magnet:"):]
	rest = strings.TrimPrefix(rest, "//")
	query, ok := strings.CutPrefix(rest, "?")
	if !ok {
		return bad("expected \"magnet:?\" followed by parameters", nil)
	}
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return bad("malformed parameters", err)
	}
	n := 0
	for _, vs := range params {
		n += len(vs)
	}
	if n > maxMagnetParams {
		return bad("too many parameters", nil)
	}
	src := Source{Kind: SourceMagnet}
	sawV2 := false
	for _, xt := range params["xt"] {
		lower := strings.ToLower(xt)
		switch {
		case strings.HasPrefix(lower, "urn:btih:"):
			ih, ok := decodeInfoHash(xt[len("urn:btih:"):])
			if !ok {
				return bad("xt=urn:btih: needs a 40-character hex or 32-character base32 info hash", nil)
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
		return bad("missing xt=urn:btih:<info hash>", nil)
	}
	if dn := params.Get("dn"); dn != "" {
		src.Name = shortenName(strings.Map(dropControl, dn))
	}
	src.Trackers = keepURLs(params["tr"], "http", "https", "udp", "ws", "wss")
	src.Webseeds = keepURLs(params["ws"], "http", "https")
	src.MetainfoURLs = keepURLs(append(params["xs"], params["as"]...), "http", "https")
	for _, pe := range params["x.pe"] {
		if validHostPort(pe) {
			src.Peers = appendUnique(src.Peers, pe)
		}
	}
	return src, nil
}

func dropControl(r rune) rune {
	if unicode.IsControl(r) {
		return -1
	}
	return r
}

func shortenName(s string) string {
	const max = 512
	if len(s) > max {
		return shorten(s[:max])
	}
	return s
}

func keepURLs(raw []string, schemes ...string) (out []string) {
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
