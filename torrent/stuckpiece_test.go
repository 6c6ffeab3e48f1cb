package torrent

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"marquee/torrent/torrenttest"

	"github.com/anacrolix/torrent/metainfo"
)

// Issue 12, item 3: reads made and abandoned while the only peer (aria2c, complete) is
// connected but unreachable (stopped), then the peer comes back and 200 range readers arrive
// at once, as `serve` sees them from a player. Every piece must arrive: a piece whose bytes
// fell inside the file once later pieces were written was answered "completion unknown",
// which anacrolix neither hashes nor requests, so it stayed missing with the peer connected.
func TestPiecesArriveAfterAbandonedReadsAndAConcurrentRush(t *testing.T) {
	t.Parallel()
	bin := needBinary(t, "aria2c")
	dir := t.TempDir()
	path := filepath.Join(dir, "rush film.mkv")
	const size = 24<<20 + 777
	if err := torrenttest.WriteRandomFile(path, size, 21); err != nil {
		t.Fatal(err)
	}
	want := readFile(t, path)
	torrentFile := mktorrent(t, path)
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)

	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddTorrentBytes(torrentFile)
	if err != nil {
		t.Fatal(err)
	}
	main, err := tor.MainFile()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	tf := filepath.Join(t.TempDir(), "seed.torrent")
	os.WriteFile(tf, torrentFile, 0o644)
	args := append(aria2Args(dir, port), "--seed-ratio=0.0", "--bt-seed-unverified=true", "--check-integrity=false", tf)
	aria, _ := startProcess(t, bin, args...)
	waitListening(t, addr)
	tor.AddPeers(addr)
	first, err := tor.NewStream(main.Index)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.ReadContext(ctxGuard(t), make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	first.Close()
	aria.Process.Signal(syscall.SIGSTOP)
	t.Cleanup(func() { aria.Process.Signal(syscall.SIGCONT) })
	// Requests that give up while the peer does not answer, as a player retrying would.
	var wg sync.WaitGroup
	for range 40 {
		off := rng.Int64N(size)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := tor.NewStream(main.Index)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			s.Seek(off, io.SeekStart)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			s.ReadContext(ctx, make([]byte, 64<<10))
		}()
	}
	wg.Wait()

	aria.Process.Signal(syscall.SIGCONT)
	ctx := ctxGuard(t)
	errs := make(chan error, 200)
	for range 200 {
		off := rng.Int64N(size)
		n := min(rng.Int64N(2<<20)+1, size-off)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- readRange(ctx, tor, main.Index, off, want[off:off+n])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			dumpEngines(t)
			t.Fatal(err)
		}
	}
}

func readRange(ctx context.Context, tor *Torrent, file int, off int64, want []byte) error {
	s, err := tor.NewStream(file)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Seek(off, io.SeekStart); err != nil {
		return err
	}
	got := make([]byte, 0, len(want))
	buf := make([]byte, 32<<10)
	for len(got) < len(want) {
		k, err := s.ReadContext(ctx, buf[:min(len(buf), len(want)-len(got))])
		got = append(got, buf[:k]...)
		if err != nil {
			return fmt.Errorf("range at %d: read at %d (piece %d): %v", off, off+int64(len(got)), (off+int64(len(got)))/tor.PieceLength(), err)
		}
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("range at %d: bytes differ", off)
	}
	return nil
}

// A piece of a new torrent stays known-incomplete after later pieces are written: the file
// then covers its bytes (a hole), and an unknown answer made anacrolix skip the piece for
// good (issue 12, item 3).
func TestPieceBeforeWrittenOnesStaysIncomplete(t *testing.T) {
	t.Parallel()
	db, err := openStateDB(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := filepath.Join(t.TempDir(), "film.mkv")
	if err := torrenttest.WriteRandomFile(src, 8<<18, 5); err != nil {
		t.Fatal(err)
	}
	info := metainfo.Info{PieceLength: 1 << 18}
	if err := info.BuildFromFilePath(src); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	ds := &diskStorage{db: db, root: root, layout: cacheLayout(root)}
	dt, err := ds.open(&info, metainfo.HashBytes([]byte("hole")))
	if err != nil {
		t.Fatal(err)
	}
	defer dt.Close()
	piece := func(i int) *diskPiece {
		return &diskPiece{dt: dt, index: i, offset: int64(i) * info.PieceLength, length: info.PieceLength}
	}
	if c := dt.completion(piece(1)); !c.Ok || c.Complete {
		t.Fatalf("piece 1 of a new torrent: %+v, want known incomplete", c)
	}
	if _, err := dt.writeAt(make([]byte, 16<<10), 6*info.PieceLength); err != nil {
		t.Fatal(err)
	}
	if c := dt.completion(piece(1)); !c.Ok || c.Complete {
		t.Fatalf("piece 1 after piece 6 was written: %+v, want known incomplete", c)
	}
}
