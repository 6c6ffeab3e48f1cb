package library_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/catalog/library"
)

// syncBuffer is a log sink that tests read while the library writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func open(t *testing.T, path string) (*library.Library, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	lib, err := library.Open(path, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib, logs
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tick is a clock that moves one second per reading, so times are distinct and ordered.
func tick() func() time.Time {
	var mu sync.Mutex
	now := time.Date(2025, 1, 1, 20, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func TestFavoritesAndWatched(t *testing.T) {
	lib, _ := open(t, filepath.Join(t.TempDir(), "library.db"))
	lib.SetClock(tick())
	must(t, lib.SetFavorite("builtin:sintel", true))
	must(t, lib.SetFavorite("archive:detour", true))
	must(t, lib.SetFavorite("builtin:sintel", true)) // again: moves it to the front
	favs, err := lib.Favorites()
	must(t, err)
	if !slices.Equal(favs, []string{"builtin:sintel", "archive:detour"}) {
		t.Errorf("Favorites = %q", favs)
	}
	if !lib.IsFavorite("archive:detour") || lib.IsFavorite("builtin:bbb") {
		t.Error("IsFavorite wrong")
	}
	must(t, lib.SetFavorite("archive:detour", false))
	if favs, _ := lib.Favorites(); !slices.Equal(favs, []string{"builtin:sintel"}) {
		t.Errorf("after removal: %q", favs)
	}
	must(t, lib.SetWatched("builtin:bbb", true))
	if !lib.IsWatched("builtin:bbb") {
		t.Error("IsWatched false after SetWatched")
	}
	must(t, lib.SetWatched("builtin:bbb", false))
	if w, _ := lib.Watched(); len(w) != 0 {
		t.Errorf("Watched = %q", w)
	}
	if err := lib.SetFavorite("  ", true); err == nil {
		t.Error("empty title ID accepted")
	}
}

func TestResumeAndContinueWatching(t *testing.T) {
	lib, _ := open(t, filepath.Join(t.TempDir(), "library.db"))
	lib.SetClock(tick())
	hour := time.Hour
	must(t, lib.RememberTitle(catalog.Title{ID: "builtin:sintel", Name: "Sintel", Year: 2010}))
	must(t, lib.SetResume("builtin:sintel", 3, 5*time.Minute, 15*time.Minute))
	must(t, lib.SetResume("archive:detour", -1, 20*time.Minute, hour))
	must(t, lib.SetResume("builtin:bbb", -1, 9*time.Minute+50*time.Second, 10*time.Minute)) // 98%: finished
	must(t, lib.SetResume("feed-x:show/s1e2", 0, time.Minute, 0))                           // unknown duration
	must(t, lib.MarkPlayed("builtin:tos", -1))                                              // started, no position yet
	must(t, lib.SetResume("archive:notld", -1, 10*time.Minute, hour))
	must(t, lib.SetWatched("archive:notld", true))

	p, ok := lib.Resume("builtin:sintel", 3)
	if !ok || p.Position != 5*time.Minute || p.Duration != 15*time.Minute || p.Finished() {
		t.Errorf("Resume(sintel, 3) = %+v, %v", p, ok)
	}
	if _, ok := lib.Resume("builtin:sintel", 0); ok {
		t.Error("a position for another file of the same title")
	}
	if _, ok := lib.Resume("builtin:bbb", -1); ok || !lib.IsWatched("builtin:bbb") {
		t.Error("a finished film keeps its position or is not marked watched")
	}

	cw, err := lib.ContinueWatching(0)
	must(t, err)
	var ids []string
	for _, r := range cw {
		ids = append(ids, r.TitleID)
	}
	if want := []string{"feed-x:show/s1e2", "archive:detour", "builtin:sintel"}; !slices.Equal(ids, want) {
		t.Errorf("ContinueWatching = %q, want %q", ids, want)
	}
	if last := cw[2]; last.Title.Name != "Sintel" || last.FileIndex != 3 || last.Position.Position != 5*time.Minute {
		t.Errorf("sintel entry = %+v", last)
	}
	if top, _ := lib.ContinueWatching(1); len(top) != 1 || top[0].TitleID != "feed-x:show/s1e2" {
		t.Errorf("limit 1 = %+v", top)
	}

	// Playing sintel again moves it to the front.
	must(t, lib.SetResume("builtin:sintel", 3, 6*time.Minute, 15*time.Minute))
	if cw, _ := lib.ContinueWatching(1); cw[0].TitleID != "builtin:sintel" {
		t.Errorf("after playing again: %q first", cw[0].TitleID)
	}
	all, _ := lib.RecentlyPlayed(0)
	if len(all) != 6 || all[0].TitleID != "builtin:sintel" {
		t.Errorf("RecentlyPlayed has %d entries, first %q; want all 6", len(all), all[0].TitleID)
	}
	must(t, lib.RemoveRecent("builtin:sintel"))
	if cw, _ := lib.ContinueWatching(0); len(cw) != 2 {
		t.Errorf("after RemoveRecent: %d entries", len(cw))
	}
	if _, ok := lib.Resume("builtin:sintel", 3); !ok {
		t.Error("RemoveRecent forgot the position")
	}
	must(t, lib.ClearResume("builtin:sintel", 3))
	if _, ok := lib.Resume("builtin:sintel", 3); ok {
		t.Error("ClearResume kept the position")
	}

	if err := lib.SetResume("builtin:x", 0, -time.Second, time.Hour); err == nil {
		t.Error("negative position accepted")
	}
	must(t, lib.SetResume("builtin:x", 0, 2*time.Hour, 3*time.Hour+time.Hour))
	if p, _ := lib.Resume("builtin:x", 0); p.Position != 2*time.Hour {
		t.Errorf("position = %v", p.Position)
	}
}

func TestTorrentsAndFeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	lib, _ := open(t, path)
	lib.SetClock(tick())
	must(t, lib.AddTorrent(library.UserTorrent{ID: "aa", URI: "magnet:?xt=urn:btih:" + strings.Repeat("a", 40), Name: "First"}))
	must(t, lib.AddTorrent(library.UserTorrent{ID: "bb", URI: "/home/u/b.torrent", Name: "Second", Size: 42}))
	if err := lib.AddTorrent(library.UserTorrent{ID: "cc"}); err == nil {
		t.Error("torrent without URI accepted")
	}
	must(t, lib.AddFeed(library.UserFeed{URL: "https://one.example/feed.json", Name: "One"}))
	must(t, lib.AddFeed(library.UserFeed{URL: "/home/u/feed.json", Name: "Two"}))
	lib.Close()

	// Everything survives a restart.
	lib, _ = open(t, path)
	torrents, err := lib.Torrents()
	must(t, err)
	if len(torrents) != 2 || torrents[0].ID != "bb" || torrents[0].Size != 42 || torrents[1].Name != "First" || torrents[1].Added.IsZero() {
		t.Errorf("Torrents = %+v", torrents)
	}
	feeds, err := lib.Feeds()
	must(t, err)
	if len(feeds) != 2 || feeds[0].Name != "One" || feeds[1].URL != "/home/u/feed.json" {
		t.Errorf("Feeds = %+v", feeds)
	}
	must(t, lib.RemoveTorrent("bb"))
	must(t, lib.RemoveFeed("https://one.example/feed.json"))
	if ts, _ := lib.Torrents(); len(ts) != 1 || ts[0].ID != "aa" {
		t.Errorf("after RemoveTorrent: %+v", ts)
	}
	if fs, _ := lib.Feeds(); len(fs) != 1 || fs[0].Name != "Two" {
		t.Errorf("after RemoveFeed: %+v", fs)
	}
}

func TestLockedByAnotherInstance(t *testing.T) {
	restore := library.SetLockTimeout(100 * time.Millisecond)
	defer restore()
	path := filepath.Join(t.TempDir(), "library.db")
	open(t, path)
	_, err := library.Open(path, nil)
	if !errors.Is(err, library.ErrLocked) || !strings.Contains(err.Error(), "in use by another running Marquee") {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	if matches, _ := filepath.Glob(path + ".corrupt-*"); len(matches) != 0 {
		t.Errorf("a locked library was moved aside: %v", matches)
	}
}

func TestUnwritableFolderIsAnErrorNotACorruption(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "library.db")
	must(t, os.Mkdir(path, 0o700)) // a folder where the file should be
	_, err := library.Open(path, nil)
	if err == nil {
		t.Fatal("Open over a directory succeeded")
	}
	if matches, _ := filepath.Glob(path + ".corrupt-*"); len(matches) != 0 {
		t.Errorf("moved aside: %v", matches)
	}
}

// populate writes enough records for the database to span many pages.
func populate(t *testing.T, path string) {
	t.Helper()
	lib, err := library.Open(path, nil)
	must(t, err)
	for i := range 80 {
		must(t, lib.SetResume(fmt.Sprintf("archive:film-%03d", i), -1, time.Duration(i)*time.Second, time.Hour))
		must(t, lib.RememberTitle(catalog.Title{ID: fmt.Sprintf("archive:film-%03d", i), Name: strings.Repeat("n", 200), Synopsis: strings.Repeat("s", 1500)}))
	}
	must(t, lib.Close())
}

func TestCorruptDatabaseIsMovedAside(t *testing.T) {
	garbage := make([]byte, 64<<10)
	rand.Read(garbage)
	tests := []struct {
		name   string
		damage func(t *testing.T, path string) []byte // returns what the damaged file holds
	}{
		{"garbage", func(t *testing.T, path string) []byte {
			must(t, os.WriteFile(path, garbage, 0o600))
			return garbage
		}},
		{"truncated", func(t *testing.T, path string) []byte {
			populate(t, path)
			must(t, os.Truncate(path, 5000))
			data, _ := os.ReadFile(path)
			return data
		}},
		{"damaged leaf pages", func(t *testing.T, path string) []byte {
			// The meta pages and freelist stay intact, so bbolt opens the file; the
			// damage only shows when the data is read.
			populate(t, path)
			data, err := os.ReadFile(path)
			must(t, err)
			pageSize := int(binary.LittleEndian.Uint32(data[16+8 : 16+12])) // meta.pageSize follows magic and version
			damaged := 0
			for off := 2 * pageSize; off+pageSize <= len(data); off += pageSize {
				if flags := binary.LittleEndian.Uint16(data[off+8:]); flags == 0x02 { // leaf page
					for i := off + 16; i < off+pageSize; i++ {
						data[i] = 0xff
					}
					damaged++
				}
			}
			if damaged == 0 {
				t.Fatal("no leaf page found to damage")
			}
			must(t, os.WriteFile(path, data, 0o600))
			return data
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "library.db")
			damaged := tt.damage(t, path)

			lib, logs := open(t, path)
			favs, err := lib.Favorites()
			if err != nil || len(favs) != 0 {
				t.Errorf("fresh library: %q, %v", favs, err)
			}
			if cw, _ := lib.RecentlyPlayed(0); len(cw) != 0 {
				t.Errorf("fresh library remembers %d plays", len(cw))
			}
			must(t, lib.SetFavorite("builtin:sintel", true)) // and it works
			matches, _ := filepath.Glob(path + ".corrupt-*")
			if len(matches) != 1 {
				t.Fatalf("moved-aside copies: %v", matches)
			}
			kept, err := os.ReadFile(matches[0])
			if err != nil || !bytes.Equal(kept, damaged) {
				t.Errorf("the damaged file was not kept intact (%v)", err)
			}
			if log := logs.String(); !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "moved it aside") || !strings.Contains(log, matches[0]) {
				t.Errorf("log does not explain the move: %s", log)
			}
		})
	}
}

// TestHelperProcess is not a test: TestSurvivesKill runs the test binary again with
// this function as a child that writes to the library until it is killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("MARQUEE_LIBRARY_HELPER")
	if path == "" {
		return
	}
	start, _ := strconv.Atoi(os.Getenv("MARQUEE_LIBRARY_START"))
	lib, err := library.Open(path, nil)
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(2)
	}
	for i := start; ; i++ {
		if err := writeNumbered(lib, i); err != nil {
			fmt.Println("write failed:", err)
			os.Exit(3)
		}
		// The write returned, so it is committed: acknowledge it.
		fmt.Printf("ack %d\n", i)
	}
}

// writeNumbered cycles through the kinds of writes the app makes.
func writeNumbered(lib *library.Library, i int) error {
	id := fmt.Sprintf("builtin:t%d", i)
	switch i % 4 {
	case 0:
		return lib.SetResume(id, i%3, time.Duration(i)*time.Second, 100*time.Hour)
	case 1:
		return lib.SetFavorite(id, true)
	case 2:
		return lib.AddTorrent(library.UserTorrent{ID: fmt.Sprint(i), URI: "magnet:?xt=urn:btih:" + fmt.Sprintf("%040x", i), Name: id})
	default:
		return lib.RememberTitle(catalog.Title{ID: id, Name: strings.Repeat("x", i%500)})
	}
}

func checkNumbered(t *testing.T, lib *library.Library, i int) {
	t.Helper()
	id := fmt.Sprintf("builtin:t%d", i)
	switch i % 4 {
	case 0:
		if p, ok := lib.Resume(id, i%3); !ok || p.Position != time.Duration(i)*time.Second {
			t.Errorf("acknowledged write %d lost: resume %+v %v", i, p, ok)
		}
	case 1:
		if !lib.IsFavorite(id) {
			t.Errorf("acknowledged write %d lost: favorite", i)
		}
	case 2:
		ts, _ := lib.Torrents()
		if !slices.ContainsFunc(ts, func(u library.UserTorrent) bool { return u.ID == fmt.Sprint(i) && u.Name == id }) {
			t.Errorf("acknowledged write %d lost: torrent", i)
		}
	default:
		if title, ok := lib.Title(id); !ok || len(title.Name) != i%500 {
			t.Errorf("acknowledged write %d lost: title", i)
		}
	}
}

func TestSurvivesKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	next := 0
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	for round := range rounds {
		acked := runAndKill(t, path, next, 60+round*37)
		if acked < next {
			t.Fatalf("round %d: the child acknowledged nothing", round)
		}
		lib, logs := open(t, path)
		for i := 0; i <= acked; i++ {
			checkNumbered(t, lib, i)
		}
		if strings.Contains(logs.String(), "moved it aside") {
			t.Fatalf("round %d: the killed writer left a damaged database: %s", round, logs.String())
		}
		lib.Close()
		t.Logf("round %d: %d acknowledged writes, all present", round, acked-next+1)
		next = acked + 1
	}
}

// runAndKill starts the writer child, SIGKILLs it after it has acknowledged killAfter
// writes, and returns the last write number it acknowledged.
func runAndKill(t *testing.T, path string, start, killAfter int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "MARQUEE_LIBRARY_HELPER="+path, "MARQUEE_LIBRARY_START="+strconv.Itoa(start))
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	scanner := bufio.NewScanner(stdout)
	last, seen := start-1, 0
	killed := false
	for scanner.Scan() {
		line := scanner.Text()
		n, ok := strings.CutPrefix(line, "ack ")
		if !ok {
			if !killed {
				t.Errorf("child: %s", line)
			}
			continue
		}
		last, _ = strconv.Atoi(n)
		seen++
		if seen == killAfter && !killed {
			must(t, cmd.Process.Kill()) // SIGKILL: no deferred code, no Close
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child stopped by itself after %d writes: %v", seen, err)
	}
	return last
}
