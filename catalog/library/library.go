// Package library remembers what the user did: favorite titles, watched marks, resume
// positions per title and file, the recently played list behind "Continue watching",
// the torrents and feeds the user added. (Which providers are on is a setting, kept in
// the app's preferences.)
//
// It is stored in bbolt (go.etcd.io/bbolt), one file under the user's config folder.
// bbolt because it is pure Go (no cgo, unlike the SQLite bindings, so cross-builds stay
// simple), already in the module graph through the torrent engine, maintained by etcd,
// and crash-safe by design: every write is a transaction that reaches the disk with
// fsync before it returns, and a commit flips one of two checksummed meta pages, so a
// process killed or a machine losing power mid-write finds the last committed state.
// The data is tiny (kilobytes) and key-value shaped, so SQL would buy nothing.
//
// Open never refuses to start over a damaged file: a database that bbolt rejects or
// that fails a full read-through check is renamed to "<name>.corrupt-<timestamp>", the
// move is logged at error level, and a fresh database takes its place. The only
// refusal is ErrLocked, when another running Marquee holds the file.
package library

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"marquee/catalog"
)

// ErrLocked means another process (another Marquee) has the library open.
var ErrLocked = errors.New("the library is in use by another running Marquee")

// lockTimeout is how long Open waits for another instance to let go of the file.
var lockTimeout = 2 * time.Second

// finishedFraction of a file's duration counts as watched (Position.Finished is the one
// place that decides it): the last tenth of a film is mostly credits, and viewers stop there.
const finishedFraction = 0.9

var (
	bucketMeta      = []byte("meta")
	bucketFavorites = []byte("favorites")
	bucketWatched   = []byte("watched")
	bucketResume    = []byte("resume")
	bucketRecent    = []byte("recent")
	bucketTitles    = []byte("titles")
	bucketTorrents  = []byte("torrents")
	bucketFeeds     = []byte("feeds")

	allBuckets = [][]byte{bucketMeta, bucketFavorites, bucketWatched, bucketResume, bucketRecent,
		bucketTitles, bucketTorrents, bucketFeeds}
)

const schemaVersion = "1"

// Library is the user's library. It is safe for concurrent use.
type Library struct {
	db     *bolt.DB
	path   string
	logger *slog.Logger
	now    func() time.Time
}

// DefaultPath is where the library lives: "marquee/library.db" in the user's config
// folder (~/.config on Linux, ~/Library/Application Support on macOS, %AppData% on
// Windows).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("library: no config folder: %w", err)
	}
	return filepath.Join(dir, "marquee", "library.db"), nil
}

// Open opens (or creates) the library at path. A nil logger discards logs.
func Open(path string, logger *slog.Logger) (*Library, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	db, err := openChecked(path)
	switch {
	case err == nil:
	case errors.Is(err, bolt.ErrTimeout):
		return nil, fmt.Errorf("open library %s: %w (close the other window and try again)", path, ErrLocked)
	case environmental(err):
		return nil, fmt.Errorf("open library %s: %w", path, err)
	default:
		aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().Format("20060102-150405.000"))
		if renameErr := os.Rename(path, aside); renameErr != nil {
			return nil, fmt.Errorf("open library %s: it is damaged (%v) and cannot be moved aside: %w", path, err, renameErr)
		}
		logger.Error("library database is damaged; moved it aside and started a fresh one",
			"path", path, "moved_to", aside, "err", err)
		if db, err = openChecked(path); err != nil {
			return nil, fmt.Errorf("open fresh library %s: %w", path, err)
		}
	}
	l := &Library{db: db, path: path, logger: logger, now: time.Now}
	if err := l.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	return l, nil
}

// environmental reports errors about the machine rather than the file's contents:
// permissions, a missing folder, a full disk. Moving the file aside would not help.
func environmental(err error) bool {
	var pathErr *fs.PathError
	return errors.Is(err, fs.ErrPermission) || errors.As(err, &pathErr)
}

// openChecked opens the database and reads every page of it once. bbolt has no
// checksums on data pages and trusts the file's pointers, so damage shows up as a panic
// or a memory fault on first access; this turns both into an error here, at a
// predictable place, instead of a crash in the middle of a session.
func openChecked(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the database failed: %v", r)
			db = nil
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return nil, err
	}
	checkErr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("reading the database failed: %v", r)
			}
		}()
		return db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return readAll(b, 0) })
		})
	}()
	if checkErr == nil {
		checkErr = structureCheck(db)
	}
	if checkErr != nil {
		db.Close()
		return nil, checkErr
	}
	return db, nil
}

// structureCheck is bbolt's own consistency check: pages freed twice, referenced twice or
// unreachable, which reading every value does not notice. It runs on a goroutine of
// bbolt's, where a memory fault could not be recovered, so it comes after the read-through
// has shown every page of the tree to be readable.
func structureCheck(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() { // drained whole, or bbolt's goroutine would block
			if first == nil {
				first = err
			}
		}
		return first
	})
}

func readAll(b *bolt.Bucket, depth int) error {
	if depth > 8 {
		return errors.New("buckets nested deeper than this program writes")
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if child := b.Bucket(k); child != nil {
				return readAll(child, depth+1)
			}
		}
		return nil
	})
}

func (l *Library) init() error {
	return l.db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get([]byte("schema")); v == nil {
			return meta.Put([]byte("schema"), []byte(schemaVersion))
		}
		return nil
	})
}

// Close closes the database.
func (l *Library) Close() error { return l.db.Close() }

// Path is the database file.
func (l *Library) Path() string { return l.path }

// update runs one write transaction; bbolt fsyncs it before returning.
func (l *Library) update(what string, fn func(tx *bolt.Tx) error) error {
	if err := l.db.Update(fn); err != nil {
		return fmt.Errorf("library: %s: %w", what, err)
	}
	return nil
}

func (l *Library) view(what string, fn func(tx *bolt.Tx) error) error {
	if err := l.db.View(fn); err != nil {
		return fmt.Errorf("library: %s: %w", what, err)
	}
	return nil
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}

// getJSON decodes a stored value; a value that does not decode is treated as absent
// and logged, so one damaged record never hides the rest of the library.
func (l *Library) getJSON(bucket []byte, key, data []byte, v any) bool {
	if data == nil {
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		l.logger.Warn("library: skipping an unreadable record", "bucket", string(bucket), "key", string(key), "err", err)
		return false
	}
	return true
}

func requireID(kind, id string) error {
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("library: empty %s", kind)
	}
	return nil
}

// mark is a timestamped flag: favorites and watched marks.
type mark struct {
	At  time.Time `json:"at"`
	Seq uint64    `json:"seq"`
}

func (l *Library) setMark(bucket []byte, what, titleID string, on bool) error {
	if err := requireID("title ID", titleID); err != nil {
		return err
	}
	return l.update(what+" "+titleID, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if !on {
			return b.Delete([]byte(titleID))
		}
		seq, _ := b.NextSequence()
		return putJSON(b, titleID, mark{At: l.now(), Seq: seq})
	})
}

func (l *Library) hasMark(bucket []byte, titleID string) bool {
	var found bool
	err := l.view("read", func(tx *bolt.Tx) error {
		found = tx.Bucket(bucket).Get([]byte(titleID)) != nil
		return nil
	})
	if err != nil {
		l.logger.Warn("library read failed", "err", err)
	}
	return found
}

// allJSON decodes every value in bucket, with its key; getJSON reports and skips a damaged
// one, so one bad record does not hide the others.
func allJSON[T any](l *Library, what string, bucket []byte) (keys []string, values []T, err error) {
	err = l.view(what, func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var value T
			if l.getJSON(bucket, k, v, &value) {
				keys = append(keys, string(k))
				values = append(values, value)
			}
			return nil
		})
	})
	return keys, values, err
}

// marks lists the IDs in a mark bucket, most recent first.
func (l *Library) marks(bucket []byte, what string) ([]string, error) {
	type entry struct {
		id string
		m  mark
	}
	keys, marks, err := allJSON[mark](l, what, bucket)
	entries := make([]entry, len(keys))
	for i := range keys {
		entries[i] = entry{keys[i], marks[i]}
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmpDesc(a.m.Seq, b.m.Seq) })
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.id
	}
	return ids, err
}

func cmpDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// SetFavorite adds a title to the favorites or takes it out.
func (l *Library) SetFavorite(titleID string, on bool) error {
	return l.setMark(bucketFavorites, "favorite", titleID, on)
}

// IsFavorite reports whether the title is a favorite.
func (l *Library) IsFavorite(titleID string) bool { return l.hasMark(bucketFavorites, titleID) }

// Favorites lists favorite title IDs, the latest added first.
func (l *Library) Favorites() ([]string, error) { return l.marks(bucketFavorites, "favorites") }

// SetWatched marks a title (or an episode, see catalog.EpisodeID) as watched or not.
// A watched title leaves "Continue watching".
func (l *Library) SetWatched(titleID string, on bool) error {
	return l.setMark(bucketWatched, "watched", titleID, on)
}

// IsWatched reports whether the title is marked watched.
func (l *Library) IsWatched(titleID string) bool { return l.hasMark(bucketWatched, titleID) }

// Watched lists watched title IDs, the latest first.
func (l *Library) Watched() ([]string, error) { return l.marks(bucketWatched, "watched") }

// Position is where playback of one file stopped.
type Position struct {
	Position time.Duration `json:"position"`
	Duration time.Duration `json:"duration"` // 0 if unknown
	Updated  time.Time     `json:"updated"`
}

// Finished reports whether the position is in the last few percent of the file.
func (p Position) Finished() bool {
	return p.Duration > 0 && float64(p.Position) >= finishedFraction*float64(p.Duration)
}

func resumeKey(titleID string, fileIndex int) []byte {
	return []byte(titleID + "\x00" + strconv.Itoa(fileIndex))
}

// recent is one entry of the recently played list.
type recent struct {
	FileIndex int       `json:"file_index"`
	Played    time.Time `json:"played"`
	Seq       uint64    `json:"seq"`
}

// SetResume records where playback of a title's file stopped, and moves the title to
// the front of the recently played list. A position in the last few percent
// (Finished) marks the title watched and forgets the position, so the next play starts
// from the beginning.
func (l *Library) SetResume(titleID string, fileIndex int, pos, dur time.Duration) error {
	if err := requireID("title ID", titleID); err != nil {
		return err
	}
	if pos < 0 || dur < 0 {
		return fmt.Errorf("library: resume %s: negative position %v or duration %v", titleID, pos, dur)
	}
	if dur > 0 {
		pos = min(pos, dur)
	}
	p := Position{Position: pos, Duration: dur, Updated: l.now()}
	return l.update("resume "+titleID, func(tx *bolt.Tx) error {
		if err := l.touchRecent(tx, titleID, fileIndex); err != nil {
			return err
		}
		resume := tx.Bucket(bucketResume)
		if p.Finished() {
			seq, _ := tx.Bucket(bucketWatched).NextSequence()
			if err := putJSON(tx.Bucket(bucketWatched), titleID, mark{At: p.Updated, Seq: seq}); err != nil {
				return err
			}
			return resume.Delete(resumeKey(titleID, fileIndex))
		}
		return putJSON(resume, string(resumeKey(titleID, fileIndex)), p)
	})
}

func (l *Library) touchRecent(tx *bolt.Tx, titleID string, fileIndex int) error {
	b := tx.Bucket(bucketRecent)
	seq, _ := b.NextSequence()
	return putJSON(b, titleID, recent{FileIndex: fileIndex, Played: l.now(), Seq: seq})
}

// Resume returns the saved position of a title's file.
func (l *Library) Resume(titleID string, fileIndex int) (Position, bool) {
	var p Position
	var ok bool
	err := l.view("resume", func(tx *bolt.Tx) error {
		key := resumeKey(titleID, fileIndex)
		ok = l.getJSON(bucketResume, key, tx.Bucket(bucketResume).Get(key), &p)
		return nil
	})
	if err != nil {
		l.logger.Warn("library read failed", "err", err)
	}
	return p, ok
}

// ClearResume forgets a file's position ("play from the beginning").
func (l *Library) ClearResume(titleID string, fileIndex int) error {
	return l.update("clear resume "+titleID, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketResume).Delete(resumeKey(titleID, fileIndex))
	})
}

// MarkPlayed puts a title at the front of the recently played list when playback
// starts, before any position is known.
func (l *Library) MarkPlayed(titleID string, fileIndex int) error {
	if err := requireID("title ID", titleID); err != nil {
		return err
	}
	return l.update("played "+titleID, func(tx *bolt.Tx) error { return l.touchRecent(tx, titleID, fileIndex) })
}

// RemoveRecent takes a title off the recently played list (and so off "Continue
// watching"); its positions are kept.
func (l *Library) RemoveRecent(titleID string) error {
	return l.update("remove recent "+titleID, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecent).Delete([]byte(titleID))
	})
}

// Recent is one recently played title.
type Recent struct {
	TitleID   string
	FileIndex int
	Played    time.Time
	Position  Position      // zero when none is saved
	Title     catalog.Title // the snapshot saved by RememberTitle; zero if none
	Watched   bool
}

// RecentlyPlayed lists recently played titles, the latest first; limit <= 0 lists all.
func (l *Library) RecentlyPlayed(limit int) ([]Recent, error) {
	return l.recents(limit, false)
}

// ContinueWatching is the "Continue watching" row: recently played titles that have a
// saved position and are neither finished nor marked watched, the latest first.
func (l *Library) ContinueWatching(limit int) ([]Recent, error) {
	return l.recents(limit, true)
}

func (l *Library) recents(limit int, unfinishedOnly bool) ([]Recent, error) {
	type entry struct {
		Recent
		seq uint64
	}
	var entries []entry
	err := l.view("recently played", func(tx *bolt.Tx) error {
		watched, resume, titles := tx.Bucket(bucketWatched), tx.Bucket(bucketResume), tx.Bucket(bucketTitles)
		return tx.Bucket(bucketRecent).ForEach(func(k, v []byte) error {
			var r recent
			if !l.getJSON(bucketRecent, k, v, &r) {
				return nil
			}
			e := entry{Recent: Recent{TitleID: string(k), FileIndex: r.FileIndex, Played: r.Played}, seq: r.Seq}
			e.Watched = watched.Get(k) != nil
			key := resumeKey(string(k), r.FileIndex)
			hasPosition := l.getJSON(bucketResume, key, resume.Get(key), &e.Position)
			if unfinishedOnly && (e.Watched || !hasPosition || e.Position.Finished()) {
				return nil
			}
			l.getJSON(bucketTitles, k, titles.Get(k), &e.Title)
			entries = append(entries, e)
			return nil
		})
	})
	slices.SortFunc(entries, func(a, b entry) int { return cmpDesc(a.seq, b.seq) })
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
	}
	out := make([]Recent, len(entries))
	for i, e := range entries {
		out[i] = e.Recent
	}
	return out, err
}

// RememberTitle saves a snapshot of a title, so that favorites and "Continue watching"
// can show it when its provider is offline or switched off.
func (l *Library) RememberTitle(t catalog.Title) error {
	if err := requireID("title ID", t.ID); err != nil {
		return err
	}
	return l.update("remember "+t.ID, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketTitles), t.ID, t) })
}

// Title returns the saved snapshot of a title.
func (l *Library) Title(titleID string) (catalog.Title, bool) {
	var t catalog.Title
	var ok bool
	err := l.view("title", func(tx *bolt.Tx) error {
		ok = l.getJSON(bucketTitles, []byte(titleID), tx.Bucket(bucketTitles).Get([]byte(titleID)), &t)
		return nil
	})
	if err != nil {
		l.logger.Warn("library read failed", "err", err)
	}
	return t, ok
}

// UserTorrent is a magnet or .torrent the user added by hand.
type UserTorrent struct {
	ID       string    `json:"id"`  // stable key; the infohash when known
	URI      string    `json:"uri"` // what to hand to the engine: magnet, .torrent URL or path
	Name     string    `json:"name"`
	InfoHash string    `json:"infohash,omitempty"`
	Size     int64     `json:"size,omitempty"`
	Added    time.Time `json:"added"`
}

// AddTorrent saves a user torrent, replacing one with the same ID. ID and URI are
// required; a zero Added is set to now.
func (l *Library) AddTorrent(t UserTorrent) error {
	if err := requireID("torrent ID", t.ID); err != nil {
		return err
	}
	if err := requireID("torrent URI", t.URI); err != nil {
		return err
	}
	if t.Added.IsZero() {
		t.Added = l.now()
	}
	return l.update("add torrent "+t.ID, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketTorrents), t.ID, t) })
}

// RemoveTorrent forgets a user torrent.
func (l *Library) RemoveTorrent(id string) error {
	return l.update("remove torrent "+id, func(tx *bolt.Tx) error { return tx.Bucket(bucketTorrents).Delete([]byte(id)) })
}

// Torrents lists the user's torrents, the latest added first.
func (l *Library) Torrents() ([]UserTorrent, error) {
	_, out, err := allJSON[UserTorrent](l, "torrents", bucketTorrents)
	slices.SortStableFunc(out, func(a, b UserTorrent) int { return b.Added.Compare(a.Added) })
	return out, err
}

// UserFeed is a catalog feed the user subscribed to.
type UserFeed struct {
	URL   string    `json:"url"` // or a local path
	Name  string    `json:"name"`
	Added time.Time `json:"added"`
}

// AddFeed saves a feed subscription, replacing one with the same URL.
func (l *Library) AddFeed(f UserFeed) error {
	if err := requireID("feed URL", f.URL); err != nil {
		return err
	}
	if f.Added.IsZero() {
		f.Added = l.now()
	}
	return l.update("add feed "+f.URL, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketFeeds), f.URL, f) })
}

// RemoveFeed forgets a feed subscription.
func (l *Library) RemoveFeed(url string) error {
	return l.update("remove feed "+url, func(tx *bolt.Tx) error { return tx.Bucket(bucketFeeds).Delete([]byte(url)) })
}

// Feeds lists the feed subscriptions in the order they were added.
func (l *Library) Feeds() ([]UserFeed, error) {
	_, out, err := allJSON[UserFeed](l, "feeds", bucketFeeds)
	slices.SortStableFunc(out, func(a, b UserFeed) int { return a.Added.Compare(b.Added) })
	return out, err
}
