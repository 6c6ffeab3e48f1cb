package catalog

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxMagnetLength bounds what ParseMagnet reads; real magnets with a dozen trackers are
// under 2 KiB.
const MaxMagnetLength = 64 << 10

// Magnet is the part of a magnet URI that the catalog uses.
type Magnet struct {
	InfoHash     string // 40 lowercase hex digits
	Name         string // dn
	Trackers     []string
	Webseeds     []string // ws
	ExactSources []string // xs: where to fetch the .torrent
}

// ParseMagnet parses a BitTorrent v1 magnet URI ("magnet:?xt=urn:btih:...").
func ParseMagnet(s string) (Magnet, error) {
	if len(s) > MaxMagnetLength {
		return Magnet{}, fmt.Errorf("magnet: longer than %d bytes", MaxMagnetLength)
	}
	rest, ok := cutPrefixFold(strings.TrimSpace(s), "magnet:?")
	if !ok {
		return Magnet{}, errors.New(`magnet: does not start with "magnet:?"`)
	}
	values, err := url.ParseQuery(rest)
	if err != nil {
		return Magnet{}, fmt.Errorf("magnet: %w", err)
	}
	var m Magnet
	sawV2 := false
	for key, list := range values {
		// BEP 9 allows numbered repeats such as xt.1 and tr.2.
		base, _, _ := strings.Cut(key, ".")
		switch strings.ToLower(base) {
		case "xt":
			for _, xt := range list {
				if h, ok := cutPrefixFold(xt, "urn:btih:"); ok {
					hash, err := NormalizeInfoHash(h)
					if err != nil {
						return Magnet{}, fmt.Errorf("magnet: xt: %w", err)
					}
					if m.InfoHash != "" && m.InfoHash != hash {
						return Magnet{}, errors.New("magnet: two different btih infohashes")
					}
					m.InfoHash = hash
				} else if _, ok := cutPrefixFold(xt, "urn:btmh:"); ok {
					sawV2 = true
				}
			}
		case "dn":
			m.Name = list[0]
		case "tr":
			m.Trackers = append(m.Trackers, list...)
		case "ws":
			m.Webseeds = append(m.Webseeds, list...)
		case "xs":
			m.ExactSources = append(m.ExactSources, list...)
		}
	}
	if m.InfoHash == "" {
		if sawV2 {
			return Magnet{}, errors.New("magnet: BitTorrent v2-only magnets (urn:btmh) are not supported")
		}
		return Magnet{}, errors.New("magnet: no xt=urn:btih: infohash")
	}
	return m, nil
}

// BuildMagnet writes a magnet URI with parameters in a stable order.
func BuildMagnet(m Magnet) string {
	var b strings.Builder
	b.WriteString("magnet:?xt=urn:btih:")
	b.WriteString(m.InfoHash)
	if m.Name != "" {
		b.WriteString("&dn=" + url.QueryEscape(m.Name))
	}
	for _, t := range m.Trackers {
		b.WriteString("&tr=" + url.QueryEscape(t))
	}
	for _, w := range m.Webseeds {
		b.WriteString("&ws=" + url.QueryEscape(w))
	}
	for _, x := range m.ExactSources {
		b.WriteString("&xs=" + url.QueryEscape(x))
	}
	return b.String()
}

// NormalizeInfoHash accepts a v1 infohash as 40 hex digits or 32 base32 characters and
// returns it as 40 lowercase hex digits.
func NormalizeInfoHash(s string) (string, error) {
	switch len(s) {
	case 40:
		if _, err := hex.DecodeString(s); err != nil {
			return "", fmt.Errorf("infohash %q is not hexadecimal", s)
		}
		return strings.ToLower(s), nil
	case 32:
		raw, err := base32.StdEncoding.DecodeString(strings.ToUpper(s))
		if err != nil || len(raw) != 20 {
			return "", fmt.Errorf("infohash %q is not base32", s)
		}
		return hex.EncodeToString(raw), nil
	}
	return "", fmt.Errorf("infohash %q has %d characters, want 40 hex or 32 base32", truncate(s, 64), len(s))
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
