package torrent

import (
	"bytes"
	"strings"

	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/source"
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

// ParseTorrent validates .torrent bytes (see source.DecodeTorrent) and lists their files.
func ParseTorrent(b []byte) (*Info, error) {
	t, err := source.ParseTorrent(b)
	if err != nil {
		return nil, err
	}
	return &Info{
		InfoHash:    t.InfoHash,
		Name:        t.Name,
		PieceLength: t.Info.PieceLength,
		NumPieces:   t.Info.NumPieces(),
		Length:      t.Length,
		Files:       infoFiles(t.Info),
		Trackers:    t.Trackers,
		Webseeds:    t.Webseeds,
		Private:     t.Info.Private != nil && *t.Info.Private,
	}, nil
}

// infoFiles lists the files of a validated info, without padding files.
func infoFiles(info *metainfo.Info) []File {
	var files []File
	for i, fi := range info.UpvertedFiles() {
		if source.IsPadFile(fi) {
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
