package torrent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/anacrolix/log"
	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/tracker"
	"github.com/anacrolix/torrent/types/infohash"

	"marquee/torrent/source"
)

// Health is a swarm's size as a tracker reports it.
type Health struct {
	Seeders, Leechers, Completed int
}

const (
	scrapeTimeout      = 15 * time.Second
	maxScrapeResponse  = 4 << 20
	udpScrapeBatchSize = 70 // BEP 15: about 74 hashes fit one UDP scrape
)

// Scrape asks an http(s) or udp tracker for the health of swarms, keyed by the lowercase hex
// info hashes given (hex or base32). Hashes the tracker does not know are absent from the map.
// Without a deadline on ctx, it gives up after 15 s.
//
// UDP scrapes use anacrolix's tracker package. HTTP scrapes are done here: anacrolix's HTTP
// scrape (v1.61) logs every URL to the standard logger, ignores the HTTP status, reads
// unbounded bodies and derives the scrape URL with "../scrape", which breaks announce URLs
// such as /announce.php or /<passkey>/announce that BEP 48 handles.
func Scrape(ctx context.Context, trackerURL string, infoHashes []string) (map[string]Health, error) {
	ihs := make([]infohash.T, 0, len(infoHashes))
	for _, s := range infoHashes {
		hexIH, err := source.ParseInfoHash(s)
		if err != nil {
			return nil, err
		}
		ihs = append(ihs, infohash.FromHexString(hexIH))
	}
	u, err := url.Parse(trackerURL)
	if err != nil || u.Host == "" {
		return nil, &ParseError{What: "tracker URL", Input: source.Shorten(trackerURL), Reason: "not a URL with a host"}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, scrapeTimeout)
		defer cancel()
	}
	out := make(map[string]Health, len(ihs))
	if len(ihs) == 0 {
		return out, nil
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		err = scrapeHTTP(ctx, u, ihs, out)
	case "udp", "udp4", "udp6":
		err = scrapeUDP(ctx, u, ihs, out)
	default:
		return nil, &ParseError{What: "tracker URL", Input: source.Shorten(trackerURL), Reason: "scrape needs an http, https or udp tracker"}
	}
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", u.Redacted(), err)
	}
	return out, nil
}

// scrapeURL applies BEP 48: the last path segment must begin with "announce", which becomes
// "scrape"; the query (e.g. a passkey) is kept.
func scrapeURL(announce *url.URL) (*url.URL, error) {
	u := *announce
	i := strings.LastIndexByte(u.Path, '/')
	last := u.Path[i+1:]
	if !strings.HasPrefix(last, "announce") {
		return nil, fmt.Errorf("tracker does not support scrape (its path does not end in /announce…)")
	}
	u.Path = u.Path[:i+1] + "scrape" + strings.TrimPrefix(last, "announce")
	u.RawPath = ""
	return &u, nil
}

func scrapeHTTP(ctx context.Context, announce *url.URL, ihs []infohash.T, out map[string]Health) error {
	u, err := scrapeURL(announce)
	if err != nil {
		return err
	}
	q := u.Query()
	for _, ih := range ihs {
		q.Add("info_hash", ih.AsString())
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxScrapeResponse+1))
	if err != nil {
		return err
	}
	if len(body) > maxScrapeResponse {
		return fmt.Errorf("response larger than %d MiB", maxScrapeResponse>>20)
	}
	var decoded struct {
		Files map[string]struct {
			Complete   int `bencode:"complete"`
			Downloaded int `bencode:"downloaded"`
			Incomplete int `bencode:"incomplete"`
		} `bencode:"files"`
		FailureReason string `bencode:"failure reason"`
	}
	if err := bencode.Unmarshal(body, &decoded); err != nil {
		return fmt.Errorf("malformed scrape response: %w", err)
	}
	if decoded.FailureReason != "" {
		return fmt.Errorf("tracker refused: %s", source.Shorten(decoded.FailureReason))
	}
	for _, ih := range ihs {
		if f, ok := decoded.Files[ih.AsString()]; ok {
			out[ih.HexString()] = Health{Seeders: f.Complete, Leechers: f.Incomplete, Completed: f.Downloaded}
		}
	}
	return nil
}

func scrapeUDP(ctx context.Context, u *url.URL, ihs []infohash.T, out map[string]Health) error {
	cl, err := tracker.NewClient(u.String(), tracker.NewClientOpts{Logger: log.Default.WithFilterLevel(log.Critical)})
	if err != nil {
		return err
	}
	defer cl.Close()
	for len(ihs) > 0 {
		batch := ihs[:min(len(ihs), udpScrapeBatchSize)]
		ihs = ihs[len(batch):]
		res, err := cl.Scrape(ctx, batch)
		if err != nil {
			return err
		}
		for i, r := range res {
			out[batch[i].HexString()] = Health{Seeders: int(r.Seeders), Leechers: int(r.Leechers), Completed: int(r.Completed)}
		}
	}
	return nil
}
