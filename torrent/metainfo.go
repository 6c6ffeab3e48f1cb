package torrent

import (
	"bytes"
	"fmt"
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
	maxTorrentFileSize = benscan.MaxSize
	maxPieceLength     = 256 << 20
	maxPieces          = 1 << 18
	maxFiles           = 10_000
	maxPathComponent   = 255
	maxPathLength      = 4096
	maxPathDepth       = 64
	maxTotalLength     = 4 << 40
)

// Info describes a validated torrent.
type Info struct {
	InfoHash    string // lowercase hex v1 info hash
	Name        string
	PieceLength int64
	NumPieces   int
	Length      int64
	Files       []File // padding files (BEP 47) are left out
	Trackers    []string
	Webseeds    []string
	Private     bool
}

// ParseTorrent validates .torrent bytes: bencode structure, piece hashes against file lengths,
// and every file path, rejecting hostile ones ("..", absolute, separators inside a component,
// duplicates) so that nothing can ever be written outside the cache folder.
func ParseTorrent(b []byte) (*Info, error) {
	mi, info, err := parseMetainfo(b)
	if err != nil {
		return nil, err
	}
	ih := mi.HashInfoBytes()
	out := &Info{
		InfoHash:    ih.HexString(),
		Name:        info.BestName(),
		PieceLength: info.PieceLength,
		NumPieces:   info.NumPieces(),
		Length:      info.TotalLength(),
		Files:       infoFiles(info),
		Private:     info.Private != nil && *info.Private,
	}
	for _, tier := range mi.UpvertedAnnounceList() {
		out.Trackers = append(out.Trackers, keepURLs(tier, "http", "https", "udp", "ws", "wss")...)
	}
	out.Webseeds = keepURLs(mi.UrlList, "http", "https")
	return out, nil
}

// parseMetainfo decodes and validates .torrent bytes.
func parseMetainfo(b []byte) (mi *metainfo.MetaInfo, info *metainfo.Info, err error) {
	bad := func(reason string, cause error) (*metainfo.MetaInfo, *metainfo.Info, error) {
		return nil, nil, &ParseError{What: ".torrent data", Reason: reason, Err: cause}
	}
	switch {
	case len(b) == 0:
		return bad("empty", nil)
	case len(b) > maxTorrentFileSize:
		return bad(fmt.Sprintf("%d bytes, more than the limit of %d MiB", len(b), maxTorrentFileSize>>20), nil)
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
	info, err = decodeInfo(mi.InfoBytes)
	if err != nil {
		return nil, nil, err
	}
	return mi, info, nil
}

// decodeInfo decodes and validates an info dictionary, from a .torrent file or from peers.
func decodeInfo(infoBytes []byte) (info *metainfo.Info, err error) {
	defer func() {
		if r := recover(); r != nil {
			info, err = nil, &ParseError{What: "torrent metadata", Reason: "malformed info dictionary", Err: fmt.Errorf("%v", r)}
		}
	}()
	info = new(metainfo.Info)
	if err := bencode.Unmarshal(infoBytes, info); err != nil {
		return nil, &ParseError{What: "torrent metadata", Reason: "malformed info dictionary", Err: err}
	}
	if err := validateInfo(info); err != nil {
		return nil, err
	}
	return info, nil
}

// validateInfo checks what anacrolix does not: limits, and paths that could escape the storage
// folder. anacrolix's own file storage has a sub-path check, but ours must not rely on it.
func validateInfo(info *metainfo.Info) (err error) {
	bad := func(format string, args ...any) error {
		return &ParseError{What: "torrent metadata", Reason: fmt.Sprintf(format, args...)}
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
	case info.PieceLength > maxPieceLength:
		return bad("piece length %d is larger than %d MiB", info.PieceLength, maxPieceLength>>20)
	case len(info.Pieces)%20 != 0:
		return bad("piece hashes are %d bytes, not a multiple of 20", len(info.Pieces))
	case len(info.Pieces)/20 > maxPieces:
		return bad("%d pieces is more than the limit of %d (no film torrent has that many)", len(info.Pieces)/20, maxPieces)
	case !info.IsDir() && info.Length <= 0:
		return bad("torrent has no data (no files and no length)")
	case len(info.Files) > maxFiles:
		return bad("%d files is more than the limit of %d (no film torrent has that many)", len(info.Files), maxFiles)
	}
	if err := checkComponent(info.BestName()); err != nil {
		return bad("torrent name %q: %v", shorten(info.BestName()), err)
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
			if err := checkComponent(c); err != nil {
				return bad("file %d path %q: %v", i, shorten(strings.Join(p, "/")), err)
			}
		}
		joined := strings.Join(p, "/")
		if len(joined) > maxPathLength {
			return bad("file %d path is longer than %d bytes", i, maxPathLength)
		}
		if isPadFile(fi) {
			// BEP 47 padding files are never written to disk and may share names.
			continue
		}
		if seen[joined] {
			return bad("file path %q appears twice", shorten(joined))
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
				return bad("file path %q is also used as a directory", shorten(dir))
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

// checkComponent rejects path components that could name something other than a plain entry
// inside the storage folder, on any OS we build for.
func checkComponent(c string) error {
	switch {
	case c == "":
		return fmt.Errorf("empty path component")
	case c == "." || c == "..":
		return fmt.Errorf("path component %q is not allowed", c)
	case len(c) > maxPathComponent:
		return fmt.Errorf("path component longer than %d bytes", maxPathComponent)
	case strings.ContainsAny(c, "/\\\x00"):
		return fmt.Errorf("path component %q contains a separator or NUL", shorten(c))
	case len(c) >= 2 && c[1] == ':' && (c[0]|0x20 >= 'a' && c[0]|0x20 <= 'z'):
		return fmt.Errorf("path component %q looks like a drive letter", shorten(c))
	}
	for _, r := range c {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("path component %q contains control characters", shorten(c))
		}
	}
	return nil
}

func isPadFile(fi metainfo.FileInfo) bool {
	return strings.Contains(fi.Attr, "p")
}

// infoFiles lists the files of a validated info, without padding files.
func infoFiles(info *metainfo.Info) []File {
	var files []File
	for i, fi := range info.UpvertedFiles() {
		if isPadFile(fi) {
			continue
		}
		p := info.BestName()
		if info.IsDir() {
			p = strings.Join(append([]string{info.BestName()}, fi.BestPath()...), "/")
		}
		files = append(files, File{Index: i, Path: p, Length: fi.Length, Kind: KindOf(p)})
	}
	return files
}

func encodeMetainfo(mi metainfo.MetaInfo) ([]byte, error) {
	var buf bytes.Buffer
	if err := mi.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
