package session

import (
	"io"
	"os"
)

// QuietReader opens a reader over the file that never makes anything download: for a
// torrent it reads verified pieces straight from storage, and a read of bytes not
// downloaded yet fails at once (torrent.ErrNotDownloaded) instead of waiting for them.
// Previews read the film this way (with player.DownloadedOnly over DownloadedAhead), so a
// thumbnail never competes with playback for the swarm.
func (m *Media) QuietReader() (io.ReadSeekCloser, error) {
	if m.Torrent == nil {
		return os.Open(m.path)
	}
	return quietReader{io.NewSectionReader(downloadedAt{m}, 0, m.Size)}, nil
}

// DownloadedAhead is how many bytes of the file from off on are downloaded without a gap;
// a local file is all there.
func (m *Media) DownloadedAhead(off int64) int64 {
	if off < 0 || off >= m.Size {
		return 0
	}
	if m.Torrent == nil {
		return m.Size - off
	}
	return m.Torrent.ContiguousAhead(m.File.Index, off)
}

type downloadedAt struct{ m *Media }

func (d downloadedAt) ReadAt(p []byte, off int64) (int, error) {
	return d.m.Torrent.ReadDownloadedAt(d.m.File.Index, p, off)
}

type quietReader struct{ *io.SectionReader }

func (quietReader) Close() error { return nil }
