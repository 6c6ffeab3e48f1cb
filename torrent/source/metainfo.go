package source

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/benscan"
)

// Limits on .torrent data. They are far above any real film torrent and keep hostile but
// valid data from costing memory: anacrolix allocates per piece and per file, so a 256 TiB
// torrent of 2^20 pieces took 1.14 GB and one of 100,000 files 328 MB and 8.8 s.
//   - pieces: a 4K remux of 100 GB in 16 MiB pieces has 6,400; clients aim for a few
//     thousand, and 262,144 pieces of 4 MiB are already 1 TiB.
//   - total length: a season of 4K remuxes is 1–2 TB; 4 TiB is twice that.
//   - files: films come with a few subtitles and extras, season packs with hundreds;
//     archive.org items, the largest we see, have a few thousand derivatives.
const (
	MaxTorrentFileSize = benscan.MaxSize
	MaxPieceLength     = 256 << 20
	MaxPieces          = 1 << 18
	MaxFiles           = 10_000
	maxPathComponent   = 255
	maxPathLength      = 4096
	maxPathDepth       = 64
	maxTotalLength     = 4 << 40
)

// Torrent is a validated .torrent: anacrolix's decoded metainfo and info dictionary, and
// what Marquee reads from them.
type Torrent struct {
	MetaInfo *metainfo.MetaInfo
	Info     *metainfo.Info
	InfoHash string // lowercase hex v1 info hash
	Name     string
	Length   int64 // bytes of all files
	Trackers []string
	Webseeds []string
}

// ParseTorrent decodes and validates .torrent bytes (see DecodeTorrent).
func ParseTorrent(b []byte) (*Torrent, error) {
	mi, info, err := DecodeTorrent(b)
	if err != nil {
		return nil, err
	}
	t := &Torrent{
		MetaInfo: mi,
		Info:     info,
		InfoHash: mi.HashInfoBytes().HexString(),
		Name:     info.BestName(),
		Length:   info.TotalLength(),
		Webseeds: KeepWebseeds(mi.UrlList),
	}
	for _, tier := range mi.UpvertedAnnounceList() {
		t.Trackers = append(t.Trackers, KeepTrackers(tier)...)
	}
	return t, nil
}

// ReadTorrent reads the bytes of a .torrent from r, refusing more than MaxTorrentFileSize.
// name says what r is in the error.
func ReadTorrent(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxTorrentFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read torrent file %s: %w", name, err)
	}
	if len(b) > MaxTorrentFileSize {
		return nil, &Error{What: ".torrent file", Input: Shorten(name), Reason: fmt.Sprintf("larger than the limit of %d MiB (a .torrent is a few hundred KiB)", MaxTorrentFileSize>>20)}
	}
	return b, nil
}

// ReadTorrentFile reads a .torrent file from disk (see ReadTorrent).
func ReadTorrentFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open torrent file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, &Error{What: ".torrent file", Input: Shorten(path), Reason: "not a regular file"}
	}
	return ReadTorrent(f, path)
}

// DecodeTorrent decodes and validates .torrent bytes: bencode structure, piece hashes
// against file lengths, and every file path, rejecting hostile ones ("..", absolute,
// separators inside a component, duplicates) so that nothing can ever be written outside
// the cache folder.
func DecodeTorrent(b []byte) (mi *metainfo.MetaInfo, info *metainfo.Info, err error) {
	bad := func(reason string, cause error) (*metainfo.MetaInfo, *metainfo.Info, error) {
		return nil, nil, &Error{What: ".torrent data", Reason: reason, Err: cause}
	}
	switch {
	case len(b) == 0:
		return bad("empty", nil)
	case len(b) > MaxTorrentFileSize:
		return bad(fmt.Sprintf("%d bytes, more than the limit of %d MiB", len(b), MaxTorrentFileSize>>20), nil)
	case b[0] != 'd':
		return bad("not a .torrent file (it does not start with a bencoded dictionary)", nil)
	}
	// Before any decoder: anacrolix's recurses without a depth limit, and a deeply nested
	// file overflows the stack, which kills the process however it is recovered.
	if err := benscan.Check(b); err != nil {
		return bad("malformed bencoding: "+err.Error(), nil)
	}
	defer func() {
		// The decoder has panicked on hostile input before; a bad file must never crash the app.
		if r := recover(); r != nil {
			mi, info, err = bad("malformed bencoding", fmt.Errorf("%v", r))
		}
	}()
	mi = new(metainfo.MetaInfo)
	dec := bencode.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(mi); err != nil {
		return bad("malformed bencoding", err)
	}
	if err := dec.ReadEOF(); err != nil {
		return bad("malformed bencoding (data after the end)", err)
	}
	if len(mi.InfoBytes) == 0 {
		return bad("it has no info dictionary", nil)
	}
	info, err = DecodeInfo(mi.InfoBytes)
	if err != nil {
		return nil, nil, err
	}
	return mi, info, nil
}

// DecodeInfo decodes and validates an info dictionary, from a .torrent file or from peers.
func DecodeInfo(infoBytes []byte) (info *metainfo.Info, err error) {
	defer func() {
		if r := recover(); r != nil {
			info, err = nil, &Error{What: "torrent metadata", Reason: "malformed info dictionary", Err: fmt.Errorf("%v", r)}
		}
	}()
	info = new(metainfo.Info)
	if err := bencode.Unmarshal(infoBytes, info); err != nil {
		return nil, &Error{What: "torrent metadata", Reason: "malformed info dictionary", Err: err}
	}
	if err := ValidateInfo(info); err != nil {
		return nil, err
	}
	return info, nil
}

// ValidateInfo checks what anacrolix does not: limits, and paths that could escape the storage
// folder. anacrolix's own file storage has a sub-path check, but ours must not rely on it.
func ValidateInfo(info *metainfo.Info) (err error) {
	bad := func(format string, args ...any) error {
		return &Error{What: "torrent metadata", Reason: fmt.Sprintf(format, args...)}
	}
	defer func() {
		if r := recover(); r != nil {
			err = bad("inconsistent info dictionary: %v", r)
		}
	}()
	if info.HasV2() && len(info.Pieces) == 0 {
		return bad("BitTorrent v2-only torrents are not supported")
	}
	switch {
	case info.PieceLength <= 0:
		return bad("piece length %d is not positive", info.PieceLength)
	case info.PieceLength > MaxPieceLength:
		return bad("piece length %d is larger than %d MiB", info.PieceLength, MaxPieceLength>>20)
	case len(info.Pieces)%20 != 0:
		return bad("piece hashes are %d bytes, not a multiple of 20", len(info.Pieces))
	case len(info.Pieces)/20 > MaxPieces:
		return bad("%d pieces is more than the limit of %d (no film torrent has that many)", len(info.Pieces)/20, MaxPieces)
	case !info.IsDir() && info.Length <= 0:
		return bad("torrent has no data (no files and no length)")
	case len(info.Files) > MaxFiles:
		return bad("%d files is more than the limit of %d (no film torrent has that many)", len(info.Files), MaxFiles)
	}
	if err := CheckPathComponent(info.BestName()); err != nil {
		return bad("torrent name %q: %v", Shorten(info.BestName()), err)
	}
	var total int64
	seen := make(map[string]bool)
	for i, fi := range info.UpvertedFiles() {
		if fi.Length < 0 {
			return bad("file %d has negative length", i)
		}
		total += fi.Length
		if total > maxTotalLength {
			return bad("the files add up to more than the limit of %d TiB (no film torrent is that large)", maxTotalLength>>40)
		}
		if !info.IsDir() {
			continue
		}
		p := fi.BestPath()
		if len(p) == 0 {
			return bad("file %d has an empty path", i)
		}
		if len(p) > maxPathDepth {
			return bad("file %d path is deeper than %d directories", i, maxPathDepth)
		}
		for _, c := range p {
			if err := CheckPathComponent(c); err != nil {
				return bad("file %d path %q: %v", i, Shorten(strings.Join(p, "/")), err)
			}
		}
		joined := strings.Join(p, "/")
		if len(joined) > maxPathLength {
			return bad("file %d path is longer than %d bytes", i, maxPathLength)
		}
		if IsPadFile(fi) {
			// BEP 47 padding files are never written to disk and may share names.
			continue
		}
		if seen[joined] {
			return bad("file path %q appears twice", Shorten(joined))
		}
		seen[joined] = true
	}
	if total == 0 {
		return bad("torrent has no data (all files are empty)")
	}
	// A file that is also a directory of another file ("a" and "a/b") cannot be stored.
	for p := range seen {
		for dir := p; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			dir = dir[:i]
			if seen[dir] {
				return bad("file path %q is also used as a directory", Shorten(dir))
			}
		}
	}
	if !info.HasV2() {
		want := (total + info.PieceLength - 1) / info.PieceLength
		if int64(info.NumPieces()) != want {
			return bad("%d piece hashes for %d bytes; expected %d", info.NumPieces(), total, want)
		}
	}
	return nil
}

// CheckPathComponent rejects path components that could name something other than a plain entry
// inside the storage folder, on any OS we build for.
func CheckPathComponent(c string) error {
	switch {
	case c == "":
		return fmt.Errorf("empty path component")
	case c == "." || c == "..":
		return fmt.Errorf("path component %q is not allowed", c)
	case len(c) > maxPathComponent:
		return fmt.Errorf("path component longer than %d bytes", maxPathComponent)
	case strings.ContainsAny(c, "/\\\x00"):
		return fmt.Errorf("path component %q contains a separator or NUL", Shorten(c))
	case len(c) >= 2 && c[1] == ':' && (c[0]|0x20 >= 'a' && c[0]|0x20 <= 'z'):
		return fmt.Errorf("path component %q looks like a drive letter", Shorten(c))
	}
	for _, r := range c {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("path component %q contains control characters", Shorten(c))
		}
	}
	return nil
}

// IsPadFile reports a BEP 47 padding file, which is never written to disk.
func IsPadFile(fi metainfo.FileInfo) bool {
	return strings.Contains(fi.Attr, "p")
}
