package torrent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/source"
)

// SeedOptions shape the torrent Seed makes.
type SeedOptions struct {
	Webseeds    []string // BEP 19 url-list entries
	PieceLength int64    // 0 picks one like common tools (about 1–2 thousand pieces)
	Name        string   // "" uses the file or folder name
	Trackers    []string
}

// Seed makes a torrent of a file or folder and seeds it in place: the data stays where it is
// (storage is rooted at the path, read-only) and never counts as cache. The metainfo is cached
// in the state database, so a restart with unchanged files neither rebuilds nor rehashes.
func (e *Engine) Seed(path string, opts SeedOptions) (*Torrent, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if opts.PieceLength < 0 || opts.PieceLength > source.MaxPieceLength || (opts.PieceLength > 0 && opts.PieceLength%(16<<10) != 0) {
		return nil, fmt.Errorf("seed %s: piece length %d must be a multiple of 16 KiB up to %d MiB", path, opts.PieceLength, source.MaxPieceLength>>20)
	}
	fp, err := fingerprint(abs)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	optKey := seedOptionsKey(opts)
	var mib []byte
	if rec, ok, err := e.db.seed(abs); err == nil && ok && rec.Fingerprint == fp && rec.Options == optKey {
		var ih metainfo.Hash
		if ih.FromHexString(rec.InfoHash) == nil {
			if tr, ok, _ := e.db.record(ih); ok && len(tr.Metainfo) > 0 {
				mib = tr.Metainfo
			}
		}
	}
	built := mib == nil
	if built {
		mib, err = buildMetainfo(abs, opts)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", path, err)
		}
	}
	mi, info, err := source.DecodeTorrent(mib)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	ih := mi.HashInfoBytes()
	if built {
		// Freshly built means freshly hashed: every piece is known good.
		all := make(map[int]byte, info.NumPieces())
		states, err := e.db.loadPieces(ih, info.NumPieces())
		if err == nil && !allComplete(states) {
			for i := range info.NumPieces() {
				all[i] = pieceComplete
			}
			if err := e.db.savePieces(ih, all); err != nil {
				return nil, fmt.Errorf("seed %s: %w", path, err)
			}
		}
	}
	if err := e.db.putSeed(abs, seedRecord{Fingerprint: fp, Options: optKey, InfoHash: ih.HexString()}); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	err = e.db.updateRecord(ih, func(r *torrentRecord) { r.Metainfo = mib })
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	spec := addSpec{
		ih:        ih,
		infoBytes: mi.InfoBytes,
		metainfo:  mib,
		kind:      kindSeed,
		seedPath:  abs,
		seedIsDir: st.IsDir(),
		webseeds:  source.KeepWebseeds(mi.UrlList),
	}
	for _, tier := range mi.UpvertedAnnounceList() {
		spec.trackers = append(spec.trackers, tier...)
	}
	return e.addTorrent(spec)
}

func allComplete(states []byte) bool {
	for _, s := range states {
		if s != pieceComplete {
			return false
		}
	}
	return len(states) > 0
}

func seedOptionsKey(o SeedOptions) string {
	return fmt.Sprintf("%d|%s|%s|%s", o.PieceLength, o.Name, strings.Join(o.Webseeds, " "), strings.Join(o.Trackers, " "))
}

// fingerprint summarises names, sizes and modification times under path.
func fingerprint(path string) (string, error) {
	h := sha256.New()
	n := 0
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", p, fi.Size(), fi.ModTime().UnixNano())
		n++
		return nil
	})
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", errors.New("no files to seed")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// buildMetainfo hashes path into .torrent bytes.
func buildMetainfo(path string, opts SeedOptions) ([]byte, error) {
	info := metainfo.Info{PieceLength: opts.PieceLength}
	if err := info.BuildFromFilePath(path); err != nil {
		return nil, fmt.Errorf("hash files: %w", err)
	}
	if opts.Name != "" {
		if err := source.CheckPathComponent(opts.Name); err != nil {
			return nil, fmt.Errorf("name %q: %w", opts.Name, err)
		}
		info.Name = opts.Name
	}
	infoBytes, err := bencode.Marshal(info)
	if err != nil {
		return nil, err
	}
	mi := metainfo.MetaInfo{InfoBytes: infoBytes, UrlList: opts.Webseeds}
	mi.SetDefaults()
	mi.CreatedBy = "Marquee"
	if len(opts.Trackers) > 0 {
		mi.Announce = opts.Trackers[0]
		mi.AnnounceList = [][]string{opts.Trackers}
	}
	return encodeMetainfo(mi)
}
