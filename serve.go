package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"marquee/httpstream"
)

const serveUsage = `Usage: marquee serve [flags] SOURCE

Serves the main video file of SOURCE (a magnet URI, a .torrent path or URL, an infohash,
or a local media file) over HTTP with Range support, so that mpv, VLC or a browser can
stream it while it downloads. Prints the URL on stdout, progress on stderr.

By default it binds to 127.0.0.1 and answers only requests addressed to a loopback name
(localhost, 127.0.0.0/8, [::1]) or the bound address, so a web page cannot reach it by DNS
rebinding. --lan binds to every interface and puts an unguessable token in the URL;
requests without it get 404.

Flags:
`

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveUsage, stderr)
	var (
		src      sourceFlags
		httpAddr = fs.String("http", "", "HTTP address to serve on (default 127.0.0.1:0, or :0 with --lan)")
		lan      = fs.Bool("lan", false, "serve to the whole network, behind a secret token in the URL")
		launch   = fs.String("player", "", "start this player (mpv, vlc, ...) on the URL and stop when it exits")
	)
	src.register(fs)
	source, err := parseOneArg(fs, args, "SOURCE")
	if err != nil {
		return err
	}
	addr := *httpAddr
	if addr == "" {
		addr = "127.0.0.1:0"
		if *lan {
			addr = ":0"
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m, err := openMedia(ctx, source, src.options(), nil)
	if err != nil {
		return err
	}
	defer m.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for HTTP on %s: %w", addr, err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	srv := httpstream.New(m.HTTPFile(), httpstream.Options{Token: *lan, AnyHost: *lan, Bound: bound.IP, Log: stderr})
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go httpSrv.Serve(ln)
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		httpSrv.Shutdown(shutdownCtx)
	}()

	streamURL := srv.URL(bound)
	fmt.Fprintln(stdout, streamURL)

	playerDone := make(chan error, 1)
	if *launch != "" {
		cmd := exec.CommandContext(ctx, *launch, streamURL)
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", *launch, err)
		}
		go func() { playerDone <- cmd.Wait() }()
	}

	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-srv.Failed():
			// Nothing more can be served: the data cannot be stored (a full disk).
			return fmt.Errorf("stopped serving %s: %w", m.Name, err)
		case err := <-playerDone:
			if err != nil {
				return fmt.Errorf("%s: %w", *launch, err)
			}
			return nil
		case <-ticker.C:
			st := m.Stats()
			pct := 0.0
			if st.Length > 0 {
				pct = 100 * float64(st.BytesComplete) / float64(st.Length)
			}
			fmt.Fprintf(stderr, "%s: %.1f%% of %s, down %s/s, up %s/s, %d peers, %d web seeds, %d readers\n",
				m.Name, pct, formatBytes(st.Length), formatBytes(int64(st.DownloadRate)),
				formatBytes(int64(st.UploadRate)), st.Peers, st.Webseeds, srv.Readers())
		}
	}
}
