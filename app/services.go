package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"marquee/cast"
	"marquee/catalog"
	"marquee/catalog/archive"
	"marquee/catalog/builtin"
	"marquee/catalog/feed"
	"marquee/catalog/health"
	"marquee/catalog/library"
	"marquee/catalog/mytorrents"
	"marquee/catalog/poster"
	"marquee/player"
	"marquee/torrent"
)

// defaultMetadataTimeout is how long playback waits for a torrent's metadata before it
// tells the user that the film could not be found.
const defaultMetadataTimeout = 90 * time.Second

// services are what the screens work with: the engine, the catalog, the user's library
// and poster loading. Run builds them from the preferences (openServices); tests build
// them over loopback swarms and temporary folders.
type services struct {
	settings   settings
	engine     *torrent.Engine // nil when it could not start; browsing still works
	catalog    *catalog.Catalog
	library    *library.Library
	myTorrents *mytorrents.Provider
	health     *health.Cache // nil: no swarm health shown
	// healthUpdated, when set, hears of each swarm whose health changed (any goroutine).
	healthUpdated atomic.Pointer[func(infoHash string)]
	posters       *posterCache
	posterLoader  *poster.Loader // nil in tests that draw title cards only
	log           *slog.Logger

	// dirs the services keep their files in.
	configDir, cacheDir string

	audio           player.AudioDriver
	metadataTimeout time.Duration
	// networkUp says whether this computer has a network beyond itself (tests set it).
	networkUp func() bool
	// discoverRenderers searches the network for TVs to cast to; nil over loopback.
	discoverRenderers func(context.Context) ([]*cast.Renderer, error)

	// startupProblems are told to the user as banners once the window is up: a port that
	// was taken, a library in use, a provider that could not be built.
	startupProblems []startupProblem
}

// startupProblem is something that went wrong while starting, but not badly enough to
// stop the app.
type startupProblem struct {
	key string
	p   problem
}

// appDirs are the per-user folders: config (library, added .torrent copies) and cache
// (downloads, posters, feeds).
func appDirs() (configDir, cacheDir string) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		cfg = os.TempDir()
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cfg, "marquee"), filepath.Join(cache, "marquee")
}

// serviceOptions say where the services keep their files, and how far they may reach.
type serviceOptions struct {
	configDir, cacheDir string
	logger              *slog.Logger
	// loopback keeps everything on this machine: the engine listens on 127.0.0.1 without
	// DHT, trackers, PEX or UPnP, and no poster or tracker is asked over the network.
	// Tests use it; they never touch the internet.
	loopback bool
}

// openServices builds everything from the saved settings. It never fails: each part that
// cannot start is replaced by a working fallback (a random port, a temporary library, no
// engine at all) and reported in startupProblems. It fails only when not even a
// temporary library can be written.
func openServices(prefs fyne.Preferences, opts serviceOptions) (*services, error) {
	s := &services{
		settings:        newSettings(prefs),
		log:             opts.logger,
		configDir:       opts.configDir,
		cacheDir:        opts.cacheDir,
		audio:           player.DeviceAudio,
		metadataTimeout: defaultMetadataTimeout,
		networkUp:       swarmsReachable(&torrent.Reachability{}),
	}
	if opts.loopback {
		// Every peer is on this machine: the network is as up as it needs to be.
		s.networkUp = func() bool { return true }
	} else {
		s.discoverRenderers = discoverRenderers
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.openLibrary(); err != nil {
		return nil, err
	}
	s.openEngine(opts.loopback)
	s.openCatalog(!opts.loopback)
	if opts.loopback {
		s.posters = newPosterCache(nil, poster.Placeholder)
		return s, nil
	}
	s.health = health.New(health.ScraperFunc(scrapeTracker), health.Options{Updated: s.notifyHealth})
	s.posterLoader = poster.NewLoader(poster.Options{CacheDir: filepath.Join(s.cacheDir, "posters"), Logger: s.log})
	s.posters = newPosterCache(s.posterLoader, poster.Placeholder)
	return s, nil
}

func (s *services) notifyHealth(infoHash string, _ health.Swarm) {
	if f := s.healthUpdated.Load(); f != nil {
		(*f)(infoHash)
	}
}

func (s *services) problem(key string, p problem) {
	s.startupProblems = append(s.startupProblems, startupProblem{key, p})
}

// openLibrary opens the user's library. A corrupt file is handled by the library itself
// (moved aside, started fresh); a library held by another running Marquee gives this
// window a temporary one, so it still opens.
func (s *services) openLibrary() error {
	path := filepath.Join(s.configDir, "library.db")
	lib, err := library.Open(path, s.log)
	if err == nil {
		s.library = lib
		return nil
	}
	s.log.Error("open library", "path", path, "err", err)
	tmp, tmpErr := os.MkdirTemp("", "marquee-library-")
	if tmpErr == nil {
		lib, tmpErr = library.Open(filepath.Join(tmp, "library.db"), s.log)
	}
	if tmpErr != nil {
		return fmt.Errorf("open the library at %s (%v) or a temporary one: %w", path, err, tmpErr)
	}
	s.library = lib
	if errors.Is(err, library.ErrLocked) {
		s.problem("library", explain(err))
		return nil
	}
	s.problem("library", problem{
		Title: "Your library could not be opened",
		What:  err.Error() + ".",
		Todo:  "This window keeps a temporary list. Check that " + filepath.Dir(path) + " is writable, then restart Marquee.",
	})
	return nil
}

// openEngine starts the engine from the settings, falling back to a random port and then
// to a temporary data folder.
func (s *services) openEngine(loopback bool) {
	cfg := s.settings.engineConfig(s.log)
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(s.cacheDir, "torrents")
	}
	anyPort := ":0"
	if loopback {
		anyPort = "127.0.0.1:0"
		cfg.ListenAddr = anyPort
		if p := s.settings.listenPort(); p >= 0 {
			cfg.ListenAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		}
		cfg.DisableDHT, cfg.DisableTrackers, cfg.DisablePEX, cfg.DisableUPnP, cfg.DisableIPv6 = true, true, true, true, true
	}
	eng, err := torrent.NewEngine(cfg)
	if err == nil {
		s.engine = eng
		return
	}
	s.log.Error("start engine", "listen", cfg.ListenAddr, "dir", cfg.DataDir, "err", err)
	firstErr := err
	if cfg.ListenAddr != anyPort {
		cfg.ListenAddr = anyPort
		if eng, err = torrent.NewEngine(cfg); err == nil {
			s.engine = eng
			s.problem("engine", problem{
				Title: "Listening on another port",
				What:  fmt.Sprintf("The port in Settings could not be used (%v), so Marquee listens on %s this time.", firstErr, strings.Join(eng.ListenAddrs(), ", ")),
				Todo:  "Downloads work as usual. To keep a fixed port, pick a free one in Settings → Network.",
			})
			return
		}
	}
	tmp, tmpErr := os.MkdirTemp("", "marquee-cache-")
	if tmpErr == nil {
		cfg.DataDir = tmp
		cfg.ClearCacheOnExit = true
		if eng, err = torrent.NewEngine(cfg); err == nil {
			s.engine = eng
			s.problem("engine", problem{
				Title: "Using a temporary cache",
				What:  fmt.Sprintf("The cache folder could not be used (%v), so downloads go to %s and are deleted on exit.", firstErr, tmp),
				Todo:  "Choose a writable folder in Settings → Cache and restart Marquee.",
			})
			return
		}
	}
	s.problem("engine", explain(fmt.Errorf("%w: %v", errEngineUnavailable, firstErr)))
}

// openCatalog builds the providers in order of precedence: the curated built-in
// catalog, the user's torrents, the Internet Archive (when online ones are wanted), then
// the user's feeds.
func (s *services) openCatalog(online bool) {
	s.catalog = catalog.New()
	if b, err := builtin.New(); err == nil {
		s.catalog.Add(b)
	} else {
		s.problem("builtin", problem{Title: "The built-in catalog is damaged", What: err.Error() + ".", Todo: "Reinstall Marquee."})
	}
	s.myTorrents = mytorrents.New(s.library, filepath.Join(s.configDir, "torrents"))
	s.catalog.Add(s.myTorrents)
	if online {
		s.catalog.Add(archive.New(archive.Options{CacheDir: filepath.Join(s.cacheDir, "archive"), Logger: s.log}))
	}
	feeds, err := s.library.Feeds()
	if err != nil {
		s.problem("feeds", problem{Title: "Your feeds could not be read", What: err.Error() + ".", Todo: "Add them again in Settings → Catalog."})
	}
	for _, f := range feeds {
		s.catalog.Add(feed.New(f.URL, s.feedOptions()))
	}
	s.applyProviderSettings()
}

// applyProviderSettings switches providers on or off as the settings say.
func (s *services) applyProviderSettings() {
	for _, p := range s.catalog.Providers() {
		s.catalog.SetEnabled(p.ID(), s.settings.providerEnabled(p.ID()))
	}
}

func (s *services) feedOptions() feed.Options {
	return feed.Options{CacheDir: filepath.Join(s.cacheDir, "feeds"), Logger: s.log}
}

// close stops everything in the order that loses nothing: the engine persists piece
// state, the library is closed last.
func (s *services) close() {
	if s.health != nil {
		s.health.Close()
	}
	if s.posterLoader != nil {
		s.posterLoader.Close()
	}
	if s.engine != nil {
		if s.settings.clearCacheOnExit() {
			if err := s.engine.ClearCache(); err != nil {
				s.log.Warn("clear cache on exit", "err", err)
			}
		}
		if err := s.engine.Close(); err != nil {
			s.log.Warn("close engine", "err", err)
		}
	}
	if s.library != nil {
		if err := s.library.Close(); err != nil {
			s.log.Warn("close library", "err", err)
		}
	}
	s.settings.writer.flush()
}

// scrapeTracker adapts the engine's tracker scrape to the catalog's health cache.
func scrapeTracker(ctx context.Context, trackerURL string, infoHashes []string) (map[string]health.Swarm, error) {
	res, err := torrent.Scrape(ctx, trackerURL, infoHashes)
	if err != nil {
		return nil, err
	}
	out := make(map[string]health.Swarm, len(res))
	now := time.Now()
	for h, v := range res {
		out[h] = health.Swarm{Seeders: v.Seeders, Leechers: v.Leechers, Checked: now}
	}
	return out, nil
}

// swarmsReachable is networkUp for this computer: an interface up with a routable address,
// and the names of the DHT's routers resolve. An interface alone is not enough: a sandbox
// or a router without its uplink has one, and a magnet then waited its whole 90 s saying
// it fetched the film's details. Its callers are off the UI goroutine.
func swarmsReachable(r *torrent.Reachability) func() bool {
	return func() bool { return interfaceUp() && r.Reachable() }
}

// interfaceUp reports whether an interface other than loopback is up with a routable
// address. Without one no tracker, DHT node, peer or web seed off this machine can answer,
// and waiting for them only hides that from the user.
func interfaceUp() bool {
	ifaces, err := net.Interfaces()
	if err != nil {
		return true // cannot tell: do not claim to be offline
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.IsGlobalUnicast() {
				return true
			}
		}
	}
	return false
}
