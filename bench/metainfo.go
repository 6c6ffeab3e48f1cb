package bench

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// metainfo is a single-file torrent built by the harness itself, so that the info hash,
// piece length and announce URL are the same whatever tool seeds or downloads it.
type metainfo struct {
	name        string
	length      int64
	pieceLength int64
	infoBytes   []byte // the bencoded info dictionary
	infoHash    [20]byte
}

// buildMetainfo hashes the file at path into pieces of pieceLength bytes.
func buildMetainfo(path string, pieceLength int64) (*metainfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("build torrent: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("build torrent: %w", err)
	}
	var pieces []byte
	buf := make([]byte, pieceLength)
	for {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			sum := sha1.Sum(buf[:n])
			pieces = append(pieces, sum[:]...)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("build torrent: read %s: %w", path, err)
		}
	}
	name := filepath.Base(path)
	// Keys in sorted order, as bencode requires.
	info := []byte("d6:lengthi" + strconv.FormatInt(st.Size(), 10) + "e")
	info = appendBencodeString(append(info, "4:name"...), name)
	info = append(info, "12:piece lengthi"+strconv.FormatInt(pieceLength, 10)+"e"...)
	info = appendBencodeString(append(info, "6:pieces"...), string(pieces))
	info = append(info, 'e')
	return &metainfo{
		name: name, length: st.Size(), pieceLength: pieceLength,
		infoBytes: info, infoHash: sha1.Sum(info),
	}, nil
}

func appendBencodeString(b []byte, s string) []byte {
	return append(append(strconv.AppendInt(b, int64(len(s)), 10), ':'), s...)
}

// torrentFile is the .torrent file announcing to tracker.
func (m *metainfo) torrentFile(tracker string) []byte {
	b := appendBencodeString([]byte("d8:announce"), tracker)
	b = append(append(b, "4:info"...), m.infoBytes...)
	return append(b, 'e')
}

// webseedTorrentFile is a .torrent whose only source is the BEP 19 web seed base URL.
func (m *metainfo) webseedTorrentFile(base string) []byte {
	b := append([]byte("d4:info"), m.infoBytes...)
	b = appendBencodeString(append(b, "8:url-list"...), base)
	return append(b, 'e')
}

// mixedTorrentFile is a .torrent naming both the tracker and a BEP 19 web seed.
func (m *metainfo) mixedTorrentFile(tracker, webseed string) []byte {
	b := appendBencodeString([]byte("d8:announce"), tracker)
	b = append(append(b, "4:info"...), m.infoBytes...)
	b = appendBencodeString(append(b, "8:url-list"...), webseed)
	return append(b, 'e')
}

// magnet is the link every engine is started with: the info hash, the name and our
// loopback tracker, nothing else.
func (m *metainfo) magnet(tracker string) string {
	return "magnet:?xt=urn:btih:" + hex.EncodeToString(m.infoHash[:]) +
		"&dn=" + url.QueryEscape(m.name) + "&tr=" + url.QueryEscape(tracker)
}
