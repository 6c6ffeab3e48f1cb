package torrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"

	"marquee/torrent/source"
)

// Our own file storage instead of anacrolix's: its file IO is chosen by an environment variable
// read in an init function (mmap by default, whose resident pages make RSS balloon on large
// files), so the binary could not choose classic pread/pwrite IO itself. Owning the storage also
// lets us validate metadata from peers before a single byte is written, keep piece completion in
// our state database with batched, ordered syncs, and seed user files read-only in place.

// fileLayout returns where file i of a validated info lives on disk.
type fileLayout func(info *metainfo.Info, i int, fi metainfo.FileInfo) string

// cacheLayout stores a torrent under root/<name>/<path…>; root is per info hash.
func cacheLayout(root string) fileLayout {
	return func(info *metainfo.Info, _ int, fi metainfo.FileInfo) string {
		parts := []string{root, info.BestName()}
		if info.IsDir() {
			parts = append(parts, fi.BestPath()...)
		}
		return filepath.Join(parts...)
	}
}

// seedLayout maps a torrent built from path onto the user's own files.
func seedLayout(path string, isDir bool) fileLayout {
	return func(_ *metainfo.Info, _ int, fi metainfo.FileInfo) string {
		if !isDir {
			return path
		}
		return filepath.Join(append([]string{path}, fi.BestPath()...)...)
	}
}

// diskStorage opens one torrent's storage. A new one is made for every torrent added.
type diskStorage struct {
	db       *stateDB
	root     string // nothing is ever written outside it
	layout   fileLayout
	readOnly bool
	// opened is told about the storage, or why the metadata was rejected, as soon as anacrolix
	// has the info. It runs with the anacrolix client lock held: it must not call back in.
	opened func(*diskTorrent, error)
	// writeFailed hears of failures to store downloaded data (a full disk, a folder made
	// read-only), except those of writes that began before the last restartWrites.
	writeFailed func(error)
	// unverifiedIsIncomplete says the state database has followed this torrent from its
	// start, so a piece it never recorded as verified is not: without it, every piece in a
	// sparse file's unwritten middle would be hashed once before it is downloaded and again
	// after. Only a torrent the database does not know (a lost database) is hashed to learn
	// what its data holds.
	unverifiedIsIncomplete bool
}

var errReadOnly = errors.New("seeded files are read-only")

func (s *diskStorage) OpenTorrent(_ context.Context, info *metainfo.Info, ih metainfo.Hash) (storage.TorrentImpl, error) {
	dt, err := s.open(info, ih)
	if s.opened != nil {
		s.opened(dt, err)
	}
	if err != nil {
		return storage.TorrentImpl{}, err
	}
	return storage.TorrentImpl{Piece: dt.piece, Close: dt.Close}, nil
}

func (s *diskStorage) open(info *metainfo.Info, ih metainfo.Hash) (*diskTorrent, error) {
	if err := source.ValidateInfo(info); err != nil {
		return nil, err
	}
	dt := &diskTorrent{
		db:          s.db,
		ih:          ih,
		pieceLength: info.PieceLength,
		readOnly:    s.readOnly,
		writeFailed: s.writeFailed,
		handles:     make(map[int]*fileHandle),
		pending:     make(map[int]byte),
		dirty:       make(map[int]bool),
	}
	for i, fi := range info.UpvertedFiles() {
		f := diskFile{offset: fi.TorrentOffset, length: fi.Length, pad: source.IsPadFile(fi)}
		if !f.pad {
			f.path = filepath.Clean(s.layout(info, i, fi))
			if !isWithin(s.root, f.path) {
				return nil, &ParseError{What: "torrent metadata", Reason: fmt.Sprintf("file %d would be stored outside %s", i, s.root)}
			}
		}
		dt.files = append(dt.files, f)
		dt.totalLength = fi.TorrentOffset + fi.Length
	}
	dt.sizes = make([]int64, len(dt.files))
	for i, f := range dt.files {
		dt.sizes[i] = -1
		if f.pad {
			dt.sizes[i] = f.length
			continue
		}
		if st, err := os.Stat(f.path); err == nil && st.Mode().IsRegular() {
			dt.sizes[i] = st.Size()
		}
	}
	states, err := s.db.loadPieces(ih, info.NumPieces())
	if err != nil {
		return nil, fmt.Errorf("load piece state of %s: %w", ih.HexString(), err)
	}
	dt.states = states
	for i, st := range states {
		if st == 0 && (s.unverifiedIsIncomplete || !dt.hasDataOnDisk(i)) {
			dt.states[i] = pieceIncomplete
		}
	}
	return dt, nil
}

// hasDataOnDisk reports whether any byte of piece i lies within its files as found at open
// time. It is asked only then: once downloading has begun, a file's size also covers the holes
// before the pieces written so far, and a piece in such a hole is no less incomplete.
func (dt *diskTorrent) hasDataOnDisk(i int) bool {
	off := int64(i) * dt.pieceLength
	found := false
	_ = dt.span(off, min(dt.pieceLength, dt.totalLength-off), func(f int, fileOff, _, _ int64) error {
		if !dt.files[f].pad && dt.sizes[f] > fileOff {
			found = true
		}
		return nil
	})
	return found
}

// isWithin reports whether path is root or inside it.
func isWithin(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil || filepath.IsAbs(rel) {
		return false
	}
	return rel == "." || (rel != ".." && !hasDotDotPrefix(rel))
}

func hasDotDotPrefix(rel string) bool {
	return len(rel) >= 3 && rel[:2] == ".." && os.IsPathSeparator(rel[2])
}

type diskFile struct {
	path   string
	offset int64 // in the torrent
	length int64
	pad    bool // BEP 47 padding: reads as zeros, never touches disk
}

type fileHandle struct {
	f        *os.File
	writable bool
	refs     int
	retired  bool // replaced by a writable handle; close once unused
	epoch    int
}

// maxOpenFiles bounds the handles one torrent keeps open; torrents can have thousands of files.
const maxOpenFiles = 32

// diskTorrent is the opened storage of one torrent.
type diskTorrent struct {
	db          *stateDB
	ih          metainfo.Hash
	pieceLength int64
	totalLength int64
	readOnly    bool
	files       []diskFile
	writeFailed func(error)

	mu      sync.Mutex
	closed  bool
	states  []byte  // per piece: 0 unknown, pieceComplete, pieceIncomplete
	sizes   []int64 // bytes on disk per file, -1 when missing
	pending map[int]byte
	dirty   map[int]bool // files written since their last sync
	handles map[int]*fileHandle
	epoch   int // handles opened before the last restartWrites belong to older epochs

	// failMu makes a failed write's epoch check and its report one step against
	// restartWrites: otherwise a write that failed before a retry could pass the check,
	// lose the CPU, and report after the retry cleared the failure, stopping the new stream.
	failMu sync.Mutex
}

func (dt *diskTorrent) piece(p metainfo.Piece) storage.PieceImpl {
	return &diskPiece{dt: dt, index: p.Index(), offset: p.Offset(), length: p.Length()}
}

// span calls f for each part of [off, off+n) and the file holding it.
func (dt *diskTorrent) span(off, n int64, f func(file int, fileOff, bufOff, size int64) error) error {
	i := sort.Search(len(dt.files), func(i int) bool { return dt.files[i].offset+dt.files[i].length > off })
	var done int64
	for ; i < len(dt.files) && done < n; i++ {
		fl := dt.files[i]
		if fl.length == 0 {
			continue
		}
		fileOff := off + done - fl.offset
		size := min(fl.length-fileOff, n-done)
		if err := f(i, fileOff, done, size); err != nil {
			return err
		}
		done += size
	}
	if done < n {
		return io.ErrUnexpectedEOF
	}
	return nil
}

func (dt *diskTorrent) readAt(b []byte, off int64) (int, error) {
	if dt.isClosed() {
		return dt.readAfterClose(b, off)
	}
	n := 0
	err := dt.span(off, int64(len(b)), func(i int, fileOff, bufOff, size int64) error {
		dst := b[bufOff : bufOff+size]
		if dt.files[i].pad {
			clear(dst)
			n += len(dst)
			return nil
		}
		h, err := dt.acquire(i, false)
		if err != nil {
			return err
		}
		m, err := h.f.ReadAt(dst, fileOff)
		dt.release(h)
		n += m
		if err == io.EOF && m < len(dst) {
			return io.ErrUnexpectedEOF
		}
		if m == len(dst) {
			return nil
		}
		return err
	})
	if errors.Is(err, ErrClosed) {
		return dt.readAfterClose(b, off)
	}
	return n, err
}

func (dt *diskTorrent) isClosed() bool {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	return dt.closed
}

// readAfterClose serves reads that race with Drop or Close. anacrolix v1.61 panics the whole
// process (PeerConn.servePeerRequest: "panic: true") when reading data for a peer request fails
// after its torrent was closed, so such reads must not fail: they read the file if it is still
// there and return zeros otherwise. Nothing can consume these bytes: the torrent's connections
// are closed, failed hashes of a closed torrent are ignored, and Stream discards a read that
// overlapped a close.
func (dt *diskTorrent) readAfterClose(b []byte, off int64) (int, error) {
	clear(b)
	_ = dt.span(off, int64(len(b)), func(i int, fileOff, bufOff, size int64) error {
		if dt.files[i].pad {
			return nil
		}
		f, err := os.Open(dt.files[i].path)
		if err != nil {
			return nil
		}
		f.ReadAt(b[bufOff:bufOff+size], fileOff)
		f.Close()
		return nil
	})
	return len(b), nil
}

func (dt *diskTorrent) writeAt(b []byte, off int64) (int, error) {
	if dt.readOnly {
		return 0, errReadOnly
	}
	n := 0
	err := dt.span(off, int64(len(b)), func(i int, fileOff, bufOff, size int64) error {
		src := b[bufOff : bufOff+size]
		if dt.files[i].pad {
			n += len(src)
			return nil
		}
		h, err := dt.acquire(i, true)
		if err != nil {
			return err
		}
		m, err := h.f.WriteAt(src, fileOff)
		if err != nil {
			// Reopen at the next write: the file may be replaced or the disk freed by then.
			dt.retire(i, h)
			dt.failMu.Lock()
			if dt.writeFailed != nil && h.epoch == dt.currentEpoch() {
				dt.writeFailed(err)
			}
			dt.failMu.Unlock()
		}
		dt.release(h)
		n += m
		dt.mu.Lock()
		if end := fileOff + int64(m); end > dt.sizes[i] {
			dt.sizes[i] = end
		}
		dt.dirty[i] = true
		dt.mu.Unlock()
		return err
	})
	return n, err
}

// acquire returns an open handle on file i, writable if asked, creating the file and its
// directories for a write.
func (dt *diskTorrent) acquire(i int, write bool) (*fileHandle, error) {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	if dt.closed {
		return nil, ErrClosed
	}
	if h := dt.handles[i]; h != nil {
		if h.writable || !write {
			h.refs++
			return h, nil
		}
		h.retired = true
		delete(dt.handles, i)
		if h.refs == 0 {
			h.f.Close()
		}
	}
	if len(dt.handles) >= maxOpenFiles {
		for j, h := range dt.handles {
			if h.refs == 0 {
				h.f.Close()
				delete(dt.handles, j)
			}
		}
	}
	path := dt.files[i].path
	var f *os.File
	var err error
	if write {
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		}
	} else {
		f, err = os.Open(path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// The data is gone (deleted by hand, or never written): not a storage failure.
			return nil, fmt.Errorf("%s: %w", path, io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	h := &fileHandle{f: f, writable: write, refs: 1, epoch: dt.epoch}
	dt.handles[i] = h
	return h, nil
}

func (dt *diskTorrent) currentEpoch() int {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	return dt.epoch
}

// restartWrites reopens every file at its next use and stops reporting failures of writes
// already under way: after a failure, the user may have freed space or fixed the folder.
func (dt *diskTorrent) restartWrites() {
	dt.failMu.Lock()
	defer dt.failMu.Unlock()
	dt.mu.Lock()
	defer dt.mu.Unlock()
	dt.epoch++
	for i, h := range dt.handles {
		delete(dt.handles, i)
		h.retired = true
		if h.refs == 0 {
			h.f.Close()
		}
	}
}

// retire stops handing out h for file i; it closes once its last user releases it.
func (dt *diskTorrent) retire(i int, h *fileHandle) {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	if dt.handles[i] == h {
		delete(dt.handles, i)
		h.retired = true
	}
}

func (dt *diskTorrent) release(h *fileHandle) {
	dt.mu.Lock()
	h.refs--
	if h.refs == 0 && (h.retired || dt.closed) {
		h.f.Close()
	}
	dt.mu.Unlock()
}

// completion answers from the state database, double-checked against the files on disk so
// that deleted or truncated data is fetched again instead of served.
func (dt *diskTorrent) completion(p *diskPiece) storage.Completion {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	state := dt.states[p.index]
	present := true
	_ = dt.span(p.offset, p.length, func(i int, fileOff, _, size int64) error {
		if dt.sizes[i] < fileOff+size {
			present = false
		}
		return nil
	})
	switch {
	case state == pieceComplete && present:
		return storage.Completion{Ok: true, Complete: true}
	case state == pieceComplete:
		dt.states[p.index] = pieceIncomplete
		dt.pending[p.index] = pieceIncomplete
		return storage.Completion{Ok: true}
	case state == pieceIncomplete:
		return storage.Completion{Ok: true}
	}
	// Data found at open with no recorded state (e.g. a lost database): let anacrolix hash it.
	// Never answered for a piece that had nothing on disk then (see open): anacrolix neither
	// hashes nor requests a piece of unknown completion, so it would never arrive.
	return storage.Completion{}
}

// markPiece records a piece's state; it is persisted at the next flush.
func (dt *diskTorrent) markPiece(index int, state byte) error {
	dt.mu.Lock()
	defer dt.mu.Unlock()
	if dt.closed {
		return ErrClosed
	}
	dt.states[index] = state
	dt.pending[index] = state
	return nil
}

// flush makes written data durable and only then records which pieces are verified, so the
// database never claims a piece whose bytes could still be lost.
func (dt *diskTorrent) flush() error {
	dt.mu.Lock()
	if len(dt.pending) == 0 {
		dt.mu.Unlock()
		return nil
	}
	pending := dt.pending
	dt.pending = make(map[int]byte)
	var syncs []*fileHandle
	for i := range dt.dirty {
		if h := dt.handles[i]; h != nil && h.writable {
			h.refs++
			syncs = append(syncs, h)
		}
	}
	clear(dt.dirty)
	dt.mu.Unlock()

	var errs []error
	for _, h := range syncs {
		if err := h.f.Sync(); err != nil {
			errs = append(errs, err)
		}
		dt.release(h)
	}
	if len(errs) == 0 {
		if err := dt.db.savePieces(dt.ih, pending); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		dt.mu.Lock()
		for i, v := range pending {
			if _, newer := dt.pending[i]; !newer {
				dt.pending[i] = v
			}
		}
		dt.mu.Unlock()
		return fmt.Errorf("persist piece state of %s: %w", dt.ih.HexString(), errors.Join(errs...))
	}
	return nil
}

// Close syncs, persists piece state and closes every file. Handles still in use by a read are
// closed when released.
func (dt *diskTorrent) Close() error {
	err := dt.flush()
	dt.mu.Lock()
	defer dt.mu.Unlock()
	if dt.closed {
		return err
	}
	dt.closed = true
	for i, h := range dt.handles {
		if h.refs == 0 {
			if h.writable {
				if serr := h.f.Sync(); serr != nil && err == nil {
					err = serr
				}
			}
			h.f.Close()
		}
		delete(dt.handles, i)
	}
	return err
}

type diskPiece struct {
	dt     *diskTorrent
	index  int
	offset int64
	length int64
}

func (p *diskPiece) ReadAt(b []byte, off int64) (int, error) {
	return p.dt.readAt(b, p.offset+off)
}

func (p *diskPiece) WriteAt(b []byte, off int64) (int, error) {
	return p.dt.writeAt(b, p.offset+off)
}

func (p *diskPiece) MarkComplete() error    { return p.dt.markPiece(p.index, pieceComplete) }
func (p *diskPiece) MarkNotComplete() error { return p.dt.markPiece(p.index, pieceIncomplete) }

func (p *diskPiece) Completion() storage.Completion { return p.dt.completion(p) }
