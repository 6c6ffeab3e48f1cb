package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"marquee/torrent"
)

const seedUsage = `Usage: marquee seed [flags] PATH

Makes a torrent of the file or folder at PATH, prints its magnet URI on stdout and seeds
it in place until interrupted. Restarting on unchanged data does not hash it again.

Flags:
`

func cmdSeed(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", seedUsage, stderr)
	var (
		ef          engineFlags
		webseeds    stringList
		torrentOut  = fs.String("torrent-out", "", "also write the .torrent file here")
		pieceLength byteRate
	)
	ef.register(fs)
	fs.Var(&webseeds, "webseed", "HTTP URL that also serves the data (BEP 19; repeatable)")
	fs.Var(&pieceLength, "piece-length", "piece length, e.g. 256KiB (default: chosen from the size)")
	path, err := parseOneArg(fs, args, "PATH")
	if err != nil {
		return err
	}
	if ef.noSeed {
		return usageError("--no-seed makes no sense for seed")
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := ef.config()
	if err != nil {
		return err
	}
	eng, err := torrent.NewEngine(cfg)
	if err != nil {
		return fmt.Errorf("start the BitTorrent engine: %w", err)
	}
	defer eng.Close()
	t, err := eng.Seed(path, torrent.SeedOptions{Webseeds: webseeds, PieceLength: int64(pieceLength)})
	if err != nil {
		return err
	}
	if *torrentOut != "" {
		mi, err := t.Metainfo()
		if err != nil {
			return err
		}
		if err := os.WriteFile(*torrentOut, mi, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", *torrentOut, err)
		}
	}
	fmt.Fprintln(stdout, t.Magnet())
	fmt.Fprintf(stderr, "seeding %s (%s, %d pieces)\n", t.Name(), formatBytes(t.Length()), t.NumPieces())
	for _, a := range eng.ListenAddrs() {
		fmt.Fprintf(stderr, "peers connect to %s\n", a)
	}

	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			st := t.Stats()
			fmt.Fprintf(stderr, "up %s/s, %s sent, %d peers, ratio %.2f\n",
				formatBytes(int64(st.UploadRate)), formatBytes(st.BytesUp), st.Peers, st.Ratio)
		}
	}
}
