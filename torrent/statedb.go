package torrent

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/anacrolix/torrent/metainfo"
	"go.etcd.io/bbolt"
)

// stateDB is the engine's persistent state in one bbolt file inside DataDir: which pieces of
// each torrent are verified (so a restart never re-downloads or rehashes them), and a record per
// torrent (metainfo, last use, seeding origin) for restarts and cache eviction.
type stateDB struct {
	db *bbolt.DB
}

var (
	piecesBucket   = []byte("pieces")
	torrentsBucket = []byte("torrents")
	seedsBucket    = []byte("seeds")
)

const (
	pieceComplete   = 'c'
	pieceIncomplete = 'i'
)

type torrentKind string

const (
	kindCache torrentKind = "cache" // data lives in DataDir and may be evicted
	kindSeed  torrentKind = "seed"  // user data seeded in place; never deleted by us
)

// torrentRecord is what the engine remembers about a torrent across restarts.
type torrentRecord struct {
	Kind     torrentKind `json:"kind"`
	Active   bool        `json:"active"` // re-added at start-up
	LastUsed time.Time   `json:"lastUsed"`
	Metainfo []byte      `json:"metainfo,omitempty"` // .torrent bytes, once known
	Magnet   string      `json:"magnet,omitempty"`   // how it was added, if by magnet
	SeedPath string      `json:"seedPath,omitempty"`
	// NotShared: the user stopped sharing this torrent; it never uploads, whatever the
	// engine's seeding switch says.
	NotShared bool `json:"notShared,omitempty"`
}

// seedRecord caches the metainfo built for a seeded path so that an unchanged path is not
// rehashed on the next start.
type seedRecord struct {
	Fingerprint string `json:"fingerprint"`
	Options     string `json:"options"`
	InfoHash    string `json:"infoHash"`
}

func openStateDB(path string) (*stateDB, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bbolt.ErrTimeout) {
			return nil, fmt.Errorf("open state database %s: it is in use by another running engine", path)
		}
		return nil, fmt.Errorf("open state database %s: %w", path, err)
	}
	// Piece state is synced after the piece data itself (see diskTorrent.flush); losing the
	// last second of completions on power loss only costs a re-download.
	db.NoSync = true
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{piecesBucket, torrentsBucket, seedsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise state database %s: %w", path, err)
	}
	return &stateDB{db: db}, nil
}

func (s *stateDB) Close() error {
	if err := s.db.Sync(); err != nil {
		s.db.Close()
		return err
	}
	return s.db.Close()
}

// loadPieces returns the stored state of every piece: 0 unknown, 'c' or 'i'.
func (s *stateDB) loadPieces(ih metainfo.Hash, numPieces int) ([]byte, error) {
	states := make([]byte, numPieces)
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(piecesBucket).Bucket(ih[:])
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 4 || len(v) != 1 {
				return nil
			}
			if i := int(binary.BigEndian.Uint32(k)); i < numPieces {
				states[i] = v[0]
			}
			return nil
		})
	})
	return states, err
}

func (s *stateDB) savePieces(ih metainfo.Hash, updates map[int]byte) error {
	if len(updates) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(piecesBucket).CreateBucketIfNotExists(ih[:])
		if err != nil {
			return err
		}
		var k [4]byte
		for i, v := range updates {
			binary.BigEndian.PutUint32(k[:], uint32(i))
			if err := b.Put(k[:], []byte{v}); err != nil {
				return err
			}
		}
		return nil
	})
}

// forget deletes everything known about a torrent.
func (s *stateDB) forget(ih metainfo.Hash) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket(piecesBucket).DeleteBucket(ih[:]); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
			return err
		}
		return tx.Bucket(torrentsBucket).Delete([]byte(ih.HexString()))
	})
}

func (s *stateDB) record(ih metainfo.Hash) (rec torrentRecord, ok bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(torrentsBucket).Get([]byte(ih.HexString()))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &rec)
	})
	return rec, ok, err
}

// updateRecord applies f to the torrent's record (a zero record if there is none) and stores it.
func (s *stateDB) updateRecord(ih metainfo.Hash, f func(*torrentRecord)) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(torrentsBucket)
		var rec torrentRecord
		if v := b.Get([]byte(ih.HexString())); v != nil {
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
		}
		f(&rec)
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return b.Put([]byte(ih.HexString()), v)
	})
}

func (s *stateDB) records() (map[metainfo.Hash]torrentRecord, error) {
	out := make(map[metainfo.Hash]torrentRecord)
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(torrentsBucket).ForEach(func(k, v []byte) error {
			var ih metainfo.Hash
			if err := ih.FromHexString(string(k)); err != nil {
				return nil
			}
			var rec torrentRecord
			if json.Unmarshal(v, &rec) == nil {
				out[ih] = rec
			}
			return nil
		})
	})
	return out, err
}

func (s *stateDB) seed(path string) (rec seedRecord, ok bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(seedsBucket).Get([]byte(path))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &rec)
	})
	return rec, ok, err
}

func (s *stateDB) putSeed(path string, rec seedRecord) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(seedsBucket).Put([]byte(path), v)
	})
}

// stateDBPath is where the state database lives inside a data folder.
func stateDBPath(dataDir string) string {
	return filepath.Join(dataDir, "marquee-state.db")
}

// ensureDir creates dir (and parents) with private permissions.
func ensureDir(dir string) error {
	return os.MkdirAll(dir, 0o755)
}
