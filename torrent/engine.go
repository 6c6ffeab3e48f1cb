package torrent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"
	"golang.org/x/time/rate"
)

// Config configures an Engine. The zero value is ready for the internet: DHT, trackers, PEX,
// uTP, web seeds and UPnP on, seeding on, no limits.
type Config struct {
	// DataDir holds downloaded data (DataDir/data/<infohash>/…) and the state database
	// (piece completion, torrent records). "" means <user cache dir>/marquee/torrents.
	DataDir string
	// ListenAddr is the "host:port" peers connect to. Port 0 picks a random free port.
	// "" listens on all interfaces on port 42069 (anacrolix's default, stable across runs so
	// that a router's port forward keeps working) and falls back to a random port if it is
	// taken. Tests use "127.0.0.1:0".
	ListenAddr string

	DisableDHT, DisableTrackers, DisablePEX, DisableUTP, DisableWebseeds, DisableUPnP, DisableIPv6 bool

	// WebseedConns is the number of parallel requests to each web seed; 0 means 4, at most 16.
	WebseedConns int

	// MaxConnsPerTorrent caps established peer connections per torrent; 0 means 50.
	MaxConnsPerTorrent int
	// Upload and download limits in bytes/s; 0 is unlimited. Both can change at run time.
	UploadLimit, DownloadLimit int64

	// SeedingDisabled starts with seeding off (see Engine.SetSeeding).
	SeedingDisabled bool
	// RatioLimit stops uploading a torrent once uploaded/max(downloaded, verified bytes)
	// reaches it; 0 means no limit.
	RatioLimit float64
	// SeedOnlyWhileWatching uploads a torrent only while one of its streams is open.
	SeedOnlyWhileWatching bool

	// CacheLimit caps the bytes of downloaded data kept in DataDir; the least recently used
	// torrents that are not being streamed are evicted. 0 means unlimited.
	CacheLimit int64
	// ClearCacheOnExit deletes all downloaded data when the engine closes.
	ClearCacheOnExit bool

	// Logger receives the engine's logs and anacrolix's warnings; nil discards them.
	Logger *slog.Logger
}

const (
	defaultListenPort  = 42069
	defaultMaxConns    = 50
	sampleInterval     = time.Second
	evictionInterval   = 5 * time.Second
	redialInterval     = 3 * time.Second
	closeClientTimeout = 5 * time.Second
	// stallNudgeAfter is how long a Read may wait for its piece before the engine wakes the
	// connections' writers (see nudgeStalledReads), checked every stallNudgeAfter. Measured on
	// a capped aria2 swarm: with a second, the first frame came 0.5 s later than with
	// anacrolix's writers woken every half second.
	stallNudgeAfter = 200 * time.Millisecond
	// Limiter bursts must hold a 16 KiB chunk (upload) and a full read of the connection
	// buffer (download); see the stack notes on anacrolix's rate limiter pitfalls.
	minLimiterBurst = 256 << 10
)

// Engine owns one anacrolix client; it is the only code in the app that touches anacrolix.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	dataDir string
	db      *stateDB
	client  *anacrolix.Client

	upLimiter, downLimiter *rate.Limiter
	webseedClient          *http.Client

	ctx      context.Context // cancelled by Close; parent of every stream's context
	cancel   context.CancelFunc
	loopDone chan struct{}

	xsTried  sync.Map          // metainfo.Hash → int: metainfo URLs fetched for a torrent, for messages
	peerMeta peerMetadataGuard // keeps nesting bombs in peers' metadata from anacrolix's decoder
	peerReqs *peerRequests     // requests to peers: the pieces on the wire

	mu                    sync.Mutex
	closed                bool
	torrents              map[metainfo.Hash]*Torrent
	seeding               bool
	ratioLimit            float64
	seedOnlyWhileWatching bool
	cacheLimit            int64
	maxConns              int
}

// NewEngine opens DataDir, starts the client and re-adds the torrents of earlier runs (so
// they seed, and resume from their verified pieces).
func NewEngine(cfg Config) (*Engine, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = discardLogger()
	}
	dataDir := cfg.DataDir
	if dataDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no DataDir given and no user cache folder: %w", err)
		}
		dataDir = filepath.Join(cache, "marquee", "torrents")
	}
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("data folder %q: %w", cfg.DataDir, err)
	}
	if err := ensureDir(filepath.Join(dataDir, "data")); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	host, port, err := parseListenAddr(cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	db, err := openStateDB(stateDBPath(dataDir))
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:                   cfg,
		log:                   logger,
		dataDir:               dataDir,
		db:                    db,
		upLimiter:             rate.NewLimiter(limitOf(cfg.UploadLimit), burstFor(cfg.UploadLimit)),
		downLimiter:           rate.NewLimiter(limitOf(cfg.DownloadLimit), burstFor(cfg.DownloadLimit)),
		torrents:              make(map[metainfo.Hash]*Torrent),
		seeding:               !cfg.SeedingDisabled,
		ratioLimit:            cfg.RatioLimit,
		seedOnlyWhileWatching: cfg.SeedOnlyWhileWatching,
		cacheLimit:            cfg.CacheLimit,
		maxConns:              cfg.MaxConnsPerTorrent,
		loopDone:              make(chan struct{}),
		webseedClient:         newWebseedClient(),
	}
	e.client, err = e.newClient(host, port)
	if err != nil && cfg.ListenAddr == "" {
		logger.Warn("default BitTorrent port busy, using a random port", "port", port, "err", err)
		e.client, err = e.newClient(host, 0)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("start BitTorrent client on %s: %w", net.JoinHostPort(host, strconv.Itoa(port)), err)
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.restore()
	go e.loop()
	return e, nil
}

func parseListenAddr(addr string) (host string, port int, err error) {
	if addr == "" {
		return "", defaultListenPort, nil
	}
	h, p, err := net.SplitHostPort(addr)
	if err == nil {
		port, err = strconv.Atoi(p)
	}
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("listen address %q: want host:port with a port from 0 to 65535", addr)
	}
	return h, port, nil
}

func limitOf(bytesPerSec int64) rate.Limit {
	if bytesPerSec <= 0 {
		return rate.Inf
	}
	return rate.Limit(bytesPerSec)
}

func burstFor(bytesPerSec int64) int {
	return int(max(minLimiterBurst, bytesPerSec/4))
}

func (e *Engine) newClient(host string, port int) (*anacrolix.Client, error) {
	cc := anacrolix.NewDefaultClientConfig()
	cc.DataDir = e.dataDir
	cc.DefaultStorage = rejectStorage{}
	cc.ListenHost = func(string) string { return host }
	cc.ListenPort = port
	cc.Seed = true
	cc.NoDHT = e.cfg.DisableDHT
	cc.DisableTrackers = e.cfg.DisableTrackers
	cc.DisablePEX = e.cfg.DisablePEX
	cc.DisableUTP = e.cfg.DisableUTP
	// The engine fetches web seeds itself, in the planner's order (webseed.go).
	cc.DisableWebseeds = true
	cc.NoDefaultPortForwarding = e.cfg.DisableUPnP
	// A literal IPv4 listen host has no IPv6 twin; anacrolix would fail to listen on one.
	ip := net.ParseIP(host)
	cc.DisableIPv6 = e.cfg.DisableIPv6 || (ip != nil && ip.To4() != nil)
	cc.EstablishedConnsPerTorrent = cmpOr(e.cfg.MaxConnsPerTorrent, defaultMaxConns)
	cc.UploadRateLimiter = e.upLimiter
	cc.DownloadRateLimiter = e.downLimiter
	cc.Slogger = newAnacrolixLogger(e.log)
	cc.Callbacks.PeerConnReadExtensionMessage = append(cc.Callbacks.PeerConnReadExtensionMessage, e.peerMeta.onExtensionMessage)
	e.peerReqs = newPeerRequests()
	e.peerReqs.install(&cc.Callbacks)
	return anacrolix.NewClient(cc)
}

func cmpOr(v, fallback int) int {
	if v > 0 {
		return v
	}
	return fallback
}

// rejectStorage is the client's default storage. Every torrent gets its own diskStorage, so
// this only guards against anacrolix's default, which would create its own database in DataDir.
type rejectStorage struct{}

func (rejectStorage) OpenTorrent(context.Context, *metainfo.Info, metainfo.Hash) (storage.TorrentImpl, error) {
	return storage.TorrentImpl{}, errors.New("torrent added without engine storage")
}

// Close closes every stream and torrent, persists piece state and stops the client. It returns
// within a few seconds even if the network misbehaves.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	ts := e.torrentList()
	e.mu.Unlock()

	e.cancel()
	for _, t := range ts {
		t.closeStreams()
	}
	<-e.loopDone
	done := make(chan struct{})
	go func() {
		e.client.Close()
		close(done)
	}()
	var errs []error
	select {
	case <-done:
	case <-time.After(closeClientTimeout):
		errs = append(errs, errors.New("BitTorrent client did not stop within 5s"))
	}
	for _, t := range ts {
		if dt := t.disk(); dt != nil {
			if err := dt.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if e.cfg.ClearCacheOnExit {
		if err := e.clearAllCacheData(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := e.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close state database: %w", err))
	}
	return errors.Join(errs...)
}

// torrentList snapshots the torrents; e.mu must be held.
func (e *Engine) torrentList() []*Torrent {
	ts := make([]*Torrent, 0, len(e.torrents))
	for _, t := range e.torrents {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *Torrent) int { return a.added.Compare(b.added) })
	return ts
}

// Torrents lists the torrents in the order they were added.
func (e *Engine) Torrents() []*Torrent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.torrentList()
}

// ListenAddrs returns the "ip:port" addresses peers can connect to.
func (e *Engine) ListenAddrs() []string {
	var out []string
	for _, a := range e.client.ListenAddrs() {
		if s := a.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// DataDir is the absolute path of the engine's data folder.
func (e *Engine) DataDir() string { return e.dataDir }

// SetUploadLimit changes the upload limit at once; 0 is unlimited.
func (e *Engine) SetUploadLimit(bytesPerSec int64) {
	e.upLimiter.SetBurst(burstFor(bytesPerSec))
	e.upLimiter.SetLimit(limitOf(bytesPerSec))
}

// SetDownloadLimit changes the download limit at once; 0 is unlimited.
func (e *Engine) SetDownloadLimit(bytesPerSec int64) {
	e.downLimiter.SetBurst(burstFor(bytesPerSec))
	e.downLimiter.SetLimit(limitOf(bytesPerSec))
}

// SetMaxConnsPerTorrent changes the cap on established connections for every torrent at once,
// closing the worst connections if there are too many; 0 restores the default.
func (e *Engine) SetMaxConnsPerTorrent(n int) {
	e.mu.Lock()
	e.maxConns = n
	ts := e.torrentList()
	e.mu.Unlock()
	for _, t := range ts {
		t.t.SetMaxEstablishedConns(cmpOr(n, defaultMaxConns))
	}
}

// ewma is an exponentially weighted moving average of a rate, with a time constant of a few
// seconds: smooth enough for display, quick enough to show a stall.
type ewma struct {
	value float64
	init  bool
}

const rateTimeConstant = 3 * time.Second

func (r *ewma) update(sample float64, dt time.Duration) {
	if !r.init {
		r.value, r.init = sample, true
		return
	}
	alpha := 1 - math.Exp(-dt.Seconds()/rateTimeConstant.Seconds())
	r.value += alpha * (sample - r.value)
}

// loop samples statistics, applies the seeding policy, persists piece state and evicts cache.
func (e *Engine) loop() {
	defer close(e.loopDone)
	tick := time.NewTicker(sampleInterval)
	defer tick.Stop()
	nudge := time.NewTicker(stallNudgeAfter)
	defer nudge.Stop()
	last := time.Now()
	lastEviction, lastRedial := last, last
	for {
		select {
		case <-e.ctx.Done():
			return
		case now := <-nudge.C:
			e.mu.Lock()
			ts := e.torrentList()
			e.mu.Unlock()
			for _, t := range ts {
				t.nudgeStalledReads(now.Add(-stallNudgeAfter))
			}
		case now := <-tick.C:
			e.mu.Lock()
			ts := e.torrentList()
			e.mu.Unlock()
			for _, t := range ts {
				t.sample(now.Sub(last))
				if dt := t.disk(); dt != nil {
					if err := dt.flush(); err != nil {
						e.log.Warn("persist piece state", "torrent", t.InfoHash(), "err", err)
					}
				}
			}
			e.applyUploadPolicy()
			if now.Sub(lastRedial) >= redialInterval {
				lastRedial = now
				for _, t := range ts {
					t.redialDirectPeers()
				}
			}
			if now.Sub(lastEviction) >= evictionInterval {
				lastEviction = now
				e.enforceCacheLimit()
			}
			last = now
		}
	}
}
