package main

import (
	"math"

	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"marquee/torrent"
)

// engineFlags are the engine settings every headless subcommand shares.
type engineFlags struct {
	cache         string
	listen        string
	noSeed        bool
	uploadLimit   byteRate
	downloadLimit byteRate
	noDHT         bool
	noTrackers    bool
	noUPnP        bool
	maxConns      int
	webseedConns  int
	verbose       bool
}

func (f *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cache, "cache", "", "cache folder for downloaded data (default: the user cache folder)")
	fs.StringVar(&f.listen, "listen", ":0", "address to accept BitTorrent peers on (port 0 picks a free one)")
	fs.BoolVar(&f.noSeed, "no-seed", false, "upload nothing to other peers")
	fs.Var(&f.uploadLimit, "upload-limit", "upload cap, e.g. 500KiB or 2MiB (per second; 0 = none)")
	fs.Var(&f.downloadLimit, "download-limit", "download cap, e.g. 4MiB (per second; 0 = none)")
	fs.BoolVar(&f.noDHT, "no-dht", false, "do not use the DHT")
	fs.BoolVar(&f.noTrackers, "no-trackers", false, "do not announce to trackers")
	fs.BoolVar(&f.noUPnP, "no-upnp", false, "do not ask the router to forward the listen port")
	fs.IntVar(&f.maxConns, "max-conns", 0, "maximum peer connections per torrent (0 = default)")
	fs.IntVar(&f.webseedConns, "webseed-conns", 0, "parallel requests to each web seed (0 = default 4, at most 16)")
	fs.BoolVar(&f.verbose, "v", false, "log engine details to stderr")
}

func (f *engineFlags) config() (torrent.Config, error) {
	dir := f.cache
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return torrent.Config{}, fmt.Errorf("no cache folder: pass --cache DIR (%w)", err)
		}
		dir = filepath.Join(base, "marquee", "torrents")
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	return torrent.Config{
		DataDir:            dir,
		ListenAddr:         f.listen,
		DisableDHT:         f.noDHT,
		DisableTrackers:    f.noTrackers,
		DisableUPnP:        f.noUPnP,
		MaxConnsPerTorrent: f.maxConns,
		WebseedConns:       f.webseedConns,
		UploadLimit:        int64(f.uploadLimit),
		DownloadLimit:      int64(f.downloadLimit),
		SeedingDisabled:    f.noSeed,
		Logger:             slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}, nil
}

// sourceFlags say how play and serve reach a torrent.
type sourceFlags struct {
	engine    engineFlags
	peers     stringList
	fileIndex int
	timeout   time.Duration
}

func (f *sourceFlags) register(fs *flag.FlagSet) {
	f.engine.register(fs)
	fs.Var(&f.peers, "peer", "add a peer directly, host:port (repeatable)")
	fs.IntVar(&f.fileIndex, "file", -1, "index of the file inside the torrent (default: the main video file)")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "give up when the torrent's metadata has not arrived after this long")
}

func (f *sourceFlags) options() sourceOptions {
	return sourceOptions{engine: f.engine, peers: f.peers, fileIndex: f.fileIndex, metadataTimeout: f.timeout}
}

// newFlagSet makes a subcommand's flag set; its usage text goes to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return fs
}

// parseOneArg parses a subcommand's flags and returns its single positional argument
// (named what in errors). --help yields flag.ErrHelp, which exits 0.
func parseOneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", &exitError{code: exitUsage, err: err}
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", usageError("%s needs exactly one %s, got %d", fs.Name(), what, fs.NArg())
	}
	return fs.Arg(0), nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// byteRate is a flag holding bytes per second, written with binary or decimal units.
type byteRate int64

func (r *byteRate) String() string { return strconv.FormatInt(int64(*r), 10) }

func (r *byteRate) Set(v string) error {
	n, err := parseBytes(v)
	if err != nil {
		return err
	}
	*r = byteRate(n)
	return nil
}

// parseBytes reads sizes such as "1500000", "512KiB", "1.5MiB", "2MB" or "4M/s". Units
// are go-humanize's, as everywhere in Marquee: K, KB, M, MB are powers of 1000; KiB, MiB
// are powers of 1024.
func parseBytes(s string) (int64, error) {
	trimmed := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	n, err := humanize.ParseBytes(trimmed)
	if err != nil || n > math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size: use a number with an optional unit such as 512KiB or 2MiB", s)
	}
	return int64(n), nil
}

// seekTarget is a start position: an absolute time or a percentage of the duration.
type seekTarget struct {
	at      time.Duration
	percent float64 // used when isPercent
	set     bool
	isPct   bool
}

func (t *seekTarget) String() string {
	if t.isPct {
		return fmt.Sprintf("%g%%", t.percent)
	}
	return t.at.String()
}

func (t *seekTarget) Set(v string) error {
	v = strings.TrimSpace(v)
	if strings.HasSuffix(v, "%") {
		p, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err != nil || p < 0 || p > 100 {
			return fmt.Errorf("%q is not a percentage between 0%% and 100%%", v)
		}
		*t = seekTarget{percent: p, set: true, isPct: true}
		return nil
	}
	d, err := parseClock(v)
	if err != nil {
		return err
	}
	*t = seekTarget{at: d, set: true}
	return nil
}

// resolve turns the target into a time once the duration is known.
func (t *seekTarget) resolve(duration time.Duration) time.Duration {
	if !t.isPct {
		return t.at
	}
	return time.Duration(float64(duration) * t.percent / 100)
}

// durationFlag accepts the same spellings as seekTarget's absolute times.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(v string) error {
	x, err := parseClock(v)
	if err != nil {
		return err
	}
	*d = durationFlag(x)
	return nil
}

// parseClock reads "90", "90s", "1m30s", "1:30" or "1:02:03".
func parseClock(v string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a time: use seconds (90), a clock (1:30, 1:02:03) or a Go duration (1m30s)", v)
	if v == "" {
		return 0, bad
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return 0, bad
		}
		return d, nil
	}
	parts := strings.Split(v, ":")
	if len(parts) > 3 {
		return 0, bad
	}
	var total float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f < 0 || (i > 0 && f >= 60) {
			return 0, bad
		}
		total = total*60 + f
	}
	return time.Duration(total * float64(time.Second)), nil
}

// exitError carries an exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailure
}

// formatBytes writes a size in the same decimal units that parseBytes reads and the app shows.
func formatBytes(n int64) string {
	return humanize.Bytes(uint64(max(n, 0)))
}
