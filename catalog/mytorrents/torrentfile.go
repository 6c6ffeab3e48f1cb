package mytorrents

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"

	"marquee/torrent/benscan"
)

// MaxTorrentFileSize caps a .torrent file; real ones with tens of thousands of pieces
// are a few MiB. It is the engine's limit too.
const MaxTorrentFileSize = benscan.MaxSize

// TorrentInfo is what Marquee reads from a .torrent before handing it to the engine:
// enough to list it in the library.
type TorrentInfo struct {
	InfoHash string // 40 lowercase hex digits: SHA-1 of the bencoded info dictionary
	Name     string
	Length   int64 // bytes of all files
	Files    int
}

// ParseTorrentFile reads the parts of a .torrent (BEP 3) that the library needs. It is
// a bounded reader, not a full validator: the engine checks pieces and paths when it
// adds the torrent.
func ParseTorrentFile(data []byte) (TorrentInfo, error) {
	// The same shape check as the engine's, before this decoder (which recurses) runs.
	if err := benscan.Check(data); err != nil {
		return TorrentInfo{}, fmt.Errorf("torrent file: %w", err)
	}
	d := &bdecoder{data: data}
	top, err := d.value(0)
	if err != nil {
		return TorrentInfo{}, fmt.Errorf("torrent file: %w", err)
	}
	if d.pos != len(data) {
		return TorrentInfo{}, fmt.Errorf("torrent file: %d bytes of trailing data after the torrent", len(data)-d.pos)
	}
	root, ok := top.(bdict)
	if !ok {
		return TorrentInfo{}, errors.New("torrent file: not a bencoded dictionary")
	}
	infoValue, ok := root.values["info"]
	if !ok {
		return TorrentInfo{}, errors.New("torrent file: no info dictionary")
	}
	info, ok := infoValue.(bdict)
	if !ok {
		return TorrentInfo{}, errors.New("torrent file: info is not a dictionary")
	}
	span := root.spans["info"]
	sum := sha1.Sum(data[span[0]:span[1]])
	out := TorrentInfo{InfoHash: hex.EncodeToString(sum[:])}

	if _, hasPieces := info.values["pieces"]; !hasPieces {
		if v, ok := info.values["meta version"].(int64); ok && v == 2 {
			return TorrentInfo{}, errors.New("torrent file: BitTorrent v2-only torrents are not supported")
		}
		return TorrentInfo{}, errors.New("torrent file: info has no pieces")
	}
	name, _ := info.values["name"].(string)
	if utf8Name, ok := info.values["name.utf-8"].(string); ok && utf8Name != "" {
		name = utf8Name
	}
	if name == "" {
		return TorrentInfo{}, errors.New("torrent file: info has no name")
	}
	out.Name = name

	if length, ok := info.values["length"]; ok {
		n, ok := length.(int64)
		if !ok || n < 0 {
			return TorrentInfo{}, errors.New("torrent file: info length is not a non-negative integer")
		}
		out.Length, out.Files = n, 1
		return out, nil
	}
	files, ok := info.values["files"].([]any)
	if !ok || len(files) == 0 {
		return TorrentInfo{}, errors.New("torrent file: info has neither length nor files")
	}
	for i, f := range files {
		fd, ok := f.(bdict)
		if !ok {
			return TorrentInfo{}, fmt.Errorf("torrent file: files[%d] is not a dictionary", i)
		}
		n, ok := fd.values["length"].(int64)
		if !ok || n < 0 {
			return TorrentInfo{}, fmt.Errorf("torrent file: files[%d] has no valid length", i)
		}
		if out.Length > math.MaxInt64-n {
			return TorrentInfo{}, errors.New("torrent file: total length overflows")
		}
		out.Length += n
	}
	out.Files = len(files)
	return out, nil
}

// bdict is a decoded dictionary with the byte span of each value, so the info
// dictionary can be hashed exactly as it was written.
type bdict struct {
	values map[string]any
	spans  map[string][2]int
}

type bdecoder struct {
	data  []byte
	pos   int
	items int
}

const (
	maxDepth = 64
	maxItems = 1 << 20 // values in one file; bounds work on hostile input
)

func (d *bdecoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	if d.items++; d.items > maxItems {
		return nil, fmt.Errorf("more than %d values", maxItems)
	}
	if d.pos >= len(d.data) {
		return nil, errors.New("truncated")
	}
	switch c := d.data[d.pos]; {
	case c == 'i':
		return d.integer()
	case c == 'l':
		d.pos++
		var list []any
		for {
			if d.pos >= len(d.data) {
				return nil, errors.New("truncated list")
			}
			if d.data[d.pos] == 'e' {
				d.pos++
				return list, nil
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	case c == 'd':
		d.pos++
		dict := bdict{values: make(map[string]any), spans: make(map[string][2]int)}
		for {
			if d.pos >= len(d.data) {
				return nil, errors.New("truncated dictionary")
			}
			if d.data[d.pos] == 'e' {
				d.pos++
				return dict, nil
			}
			key, err := d.str()
			if err != nil {
				return nil, fmt.Errorf("dictionary key: %w", err)
			}
			start := d.pos
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", truncateKey(key), err)
			}
			if _, dup := dict.values[key]; dup {
				return nil, fmt.Errorf("duplicate key %q", truncateKey(key))
			}
			dict.values[key] = v
			dict.spans[key] = [2]int{start, d.pos}
		}
	case c >= '0' && c <= '9':
		return d.str()
	default:
		return nil, fmt.Errorf("unexpected byte %q at offset %d", c, d.pos)
	}
}

func (d *bdecoder) integer() (int64, error) {
	end := d.pos + 1
	for end < len(d.data) && d.data[end] != 'e' {
		end++
	}
	if end >= len(d.data) {
		return 0, errors.New("truncated integer")
	}
	digits := string(d.data[d.pos+1 : end])
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || digits == "-0" || (len(digits) > 1 && (digits[0] == '0' || digits[:2] == "-0")) || digits[0] == '+' {
		return 0, fmt.Errorf("bad integer %q at offset %d", truncateKey(digits), d.pos)
	}
	d.pos = end + 1
	return n, nil
}

func (d *bdecoder) str() (string, error) {
	colon := d.pos
	for colon < len(d.data) && colon-d.pos <= 10 && d.data[colon] >= '0' && d.data[colon] <= '9' {
		colon++
	}
	if colon >= len(d.data) || d.data[colon] != ':' || colon == d.pos {
		return "", fmt.Errorf("bad string length at offset %d", d.pos)
	}
	digits := string(d.data[d.pos:colon])
	n, err := strconv.Atoi(digits)
	if err != nil || (len(digits) > 1 && digits[0] == '0') {
		return "", fmt.Errorf("bad string length %q at offset %d", digits, d.pos)
	}
	if n > len(d.data)-colon-1 {
		return "", fmt.Errorf("string of %d bytes at offset %d runs past the end", n, d.pos)
	}
	s := string(d.data[colon+1 : colon+1+n])
	d.pos = colon + 1 + n
	return s, nil
}

func truncateKey(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
