package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"marquee/catalog"
	"marquee/internal/mediagen"
	"marquee/torrent"
)

const (
	demoProviderID = "demo"
	demoTitleID    = demoProviderID + ":test-pattern"
)

// demoUploadCap is the demo seeder's upload limit for a film of size bytes lasting d: twice
// the film's own rate, so playback never waits yet the download visibly runs for about
// half the film.
func demoUploadCap(size int64, d time.Duration) int64 {
	if d <= 0 {
		return 1 << 20
	}
	return min(max(2*int64(float64(size)/d.Seconds()), 256<<10), 8<<20)
}

// demoProvider is the "Local demo" row: one generated title, without a source until the
// film is made and seeded.
type demoProvider struct {
	mu    sync.Mutex
	title catalog.Title
}

var (
	_ catalog.Provider = (*demoProvider)(nil)
	_ catalog.Getter   = (*demoProvider)(nil)
)

func newDemoProvider() *demoProvider {
	return &demoProvider{title: catalog.Title{
		ID:         demoTitleID,
		Provider:   demoProviderID,
		Kind:       catalog.KindMovie,
		Name:       "Test Pattern",
		Year:       time.Now().Year(),
		Runtime:    mediagen.DemoFilm.Duration,
		Genres:     []string{"Demo"},
		Synopsis:   "Being prepared: FFmpeg is making the film on this computer (first start only).",
		Licence:    "CC0 1.0",
		LicenceURL: "https://creativecommons.org/publicdomain/zero/1.0/",
		Popularity: 1e9,
	}}
}

func (p *demoProvider) ID() string   { return demoProviderID }
func (p *demoProvider) Name() string { return "Local demo" }

func (p *demoProvider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	return catalog.NewIndex([]catalog.Title{p.get()}).Search(ctx, q)
}

func (p *demoProvider) Get(_ context.Context, id string) (catalog.Title, error) {
	if t := p.get(); t.ID == id {
		return t, nil
	}
	return catalog.Title{}, fmt.Errorf("%s: %w", id, catalog.ErrNotFound)
}

func (p *demoProvider) get() catalog.Title {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.title
}

func (p *demoProvider) set(t catalog.Title) {
	p.mu.Lock()
	p.title = t
	p.mu.Unlock()
}

// demo is the offline demo: a film made by ffmpeg at first start and seeded by a second,
// loopback-only engine with an upload cap, so a machine without internet can watch a
// film stream while the status overlay shows the download running.
type demo struct {
	provider *demoProvider

	mu       sync.Mutex
	seeder   *torrent.Engine
	infoHash string
	tempDir  string
}

// startDemo adds the "Local demo" row and prepares the film in the background.
func (u *ui) startDemo() {
	d := &demo{provider: newDemoProvider()}
	u.demo = d
	u.svc.catalog.Add(d.provider)
	u.svc.catalog.SetEnabled(demoProviderID, true)
	u.home.reloadRows()
	u.prepareDemo()
}

// prepareDemo makes and seeds the demo film in the background, saying so in its row; if
// that fails, the row says why and offers to try again.
func (u *ui) prepareDemo() {
	d := u.demo
	u.home.setRowStatus(demoProviderID, &rowState{
		text: "Preparing the demo film — FFmpeg is making a one-minute test film on this computer (only once); it plays in a few seconds.",
		busy: true,
	})
	u.background(func(ctx context.Context) {
		title, err := d.prepare(ctx, u.svc)
		if ctx.Err() != nil {
			return
		}
		runOnUI(func() {
			if err != nil {
				u.home.setRowStatus(demoProviderID, &rowState{
					text:  "The demo film could not be prepared — " + err.Error() + ". Is FFmpeg installed (sudo apt install ffmpeg)?",
					retry: u.prepareDemo,
				})
				return
			}
			u.home.setRowStatus(demoProviderID, nil)
			u.home.reloadRows()
			if u.hooks.autoplay() == demoProviderID {
				u.openDetail(title)
				if d := u.currentDetail; d != nil {
					d.play.OnTapped()
				}
			}
		})
	})
}

// prepare makes the film (or finds it cached), seeds it and returns the playable title.
func (d *demo) prepare(ctx context.Context, svc *services) (catalog.Title, error) {
	path, err := mediagen.Generate(ctx, mediagen.DemoFilm, "")
	if err != nil {
		return catalog.Title{}, fmt.Errorf("make the demo film: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return catalog.Title{}, err
	}
	cfg := torrent.Config{
		DataDir:         filepath.Join(svc.cacheDir, "demo-seeder"),
		ListenAddr:      "127.0.0.1:0",
		DisableDHT:      true,
		DisableTrackers: true,
		DisablePEX:      true,
		DisableUTP:      true,
		DisableWebseeds: true,
		DisableUPnP:     true,
		DisableIPv6:     true,
		UploadLimit:     demoUploadCap(st.Size(), mediagen.DemoFilm.Duration),
		Logger:          svc.log,
	}
	seeder, err := torrent.NewEngine(cfg)
	if err != nil {
		// Another Marquee may hold the seeder's folder: seed from a temporary one.
		tmp, tmpErr := os.MkdirTemp("", "marquee-demo-")
		if tmpErr != nil {
			return catalog.Title{}, fmt.Errorf("start the demo seeder: %w", err)
		}
		d.tempDir = tmp
		cfg.DataDir = tmp
		if seeder, err = torrent.NewEngine(cfg); err != nil {
			return catalog.Title{}, fmt.Errorf("start the demo seeder: %w", err)
		}
	}
	t, err := seeder.Seed(path, torrent.SeedOptions{})
	if err != nil {
		seeder.Close()
		return catalog.Title{}, fmt.Errorf("seed the demo film: %w", err)
	}
	addrs := seeder.ListenAddrs()
	if len(addrs) == 0 {
		seeder.Close()
		return catalog.Title{}, fmt.Errorf("the demo seeder is not listening")
	}
	d.mu.Lock()
	d.seeder, d.infoHash = seeder, t.InfoHash()
	d.mu.Unlock()
	// A copy finished by an earlier run would play from the cache: the demo is there to
	// show streaming, so it always starts from nothing.
	if old := findTorrent(svc.engine, t.InfoHash()); old != nil {
		if err := old.Drop(true); err != nil {
			svc.log.Warn("drop the previous demo download", "err", err)
		}
	}
	magnet := t.Magnet() + "&x.pe=" + url.QueryEscape(addrs[0])
	title := d.provider.get()
	title.Synopsis = strings.Join([]string{
		"A minute of test pattern with a running clock and a tone, made on this computer by FFmpeg.",
		"A second BitTorrent engine inside Marquee shares it on 127.0.0.1 with its upload capped at " + formatRate(float64(cfg.UploadLimit)) + ",",
		"so you can watch it stream, and see the download still running in the status overlay, without an internet connection.",
	}, " ")
	title.Sources = []catalog.Source{{
		Magnet:    magnet,
		InfoHash:  t.InfoHash(),
		Quality:   fmt.Sprintf("%dp", mediagen.DemoFilm.Height),
		Size:      st.Size(),
		FileIndex: catalog.MainFile,
	}}
	d.provider.set(title)
	return title, nil
}

// close stops the seeder and drops the demo download from the main engine, so the next
// demo streams again.
func (d *demo) close(main *torrent.Engine) {
	d.mu.Lock()
	seeder, ih, tmp := d.seeder, d.infoHash, d.tempDir
	d.seeder, d.tempDir = nil, ""
	d.mu.Unlock()
	if t := findTorrent(main, ih); t != nil {
		t.Drop(true)
	}
	if seeder != nil {
		seeder.Close()
	}
	if tmp != "" {
		os.RemoveAll(tmp)
	}
}
