package torrenttest

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"
)

// wrappedStorage wraps anacrolix's file storage for swarm members. It can corrupt pieces (a
// peer that sends data failing its hash check), and it never fails a read after Close:
// anacrolix v1.61 panics the process when reading data for a peer request fails after its
// torrent closed, which killing a seeder mid-transfer would otherwise trigger.
type wrappedStorage struct {
	inner   storage.ClientImpl
	corrupt []int
}

func (c wrappedStorage) OpenTorrent(ctx context.Context, info *metainfo.Info, ih metainfo.Hash) (storage.TorrentImpl, error) {
	t, err := c.inner.OpenTorrent(ctx, info, ih)
	if err != nil {
		return t, err
	}
	innerPiece := t.Piece
	closed := new(atomic.Bool)
	// Only Piece is wrapped; dropping the optional fast paths forces reads through it.
	return storage.TorrentImpl{
		Piece: func(p metainfo.Piece) storage.PieceImpl {
			return wrappedPiece{PieceImpl: innerPiece(p), flip: slices.Contains(c.corrupt, p.Index()), closed: closed}
		},
		Close: func() error {
			closed.Store(true)
			if t.Close != nil {
				return t.Close()
			}
			return nil
		},
	}, nil
}

type wrappedPiece struct {
	storage.PieceImpl
	flip   bool
	closed *atomic.Bool
}

func (f wrappedPiece) ReadAt(b []byte, off int64) (int, error) {
	n, err := f.PieceImpl.ReadAt(b, off)
	if err != nil && f.closed.Load() {
		clear(b)
		return len(b), nil
	}
	if f.flip {
		for i := range b[:n] {
			b[i] ^= 0xff
		}
	}
	return n, err
}
