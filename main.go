// Command marquee streams openly licensed films over BitTorrent. Without a subcommand it
// opens the desktop app; `play --headless`, `serve`, `seed` and `cast` run without a window.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"marquee/app"
)

const usage = `Usage:
  marquee [--demo] [SOURCE]              open the app; SOURCE (magnet or .torrent) starts playing
  marquee play --headless [flags] SOURCE play without a window; --json for machine-readable events
  marquee serve [flags] SOURCE           serve the film over HTTP for mpv, VLC or a browser
  marquee seed [flags] PATH              make a torrent of PATH and seed it
  marquee cast --list [--json]           list the DLNA/UPnP renderers (TVs) on the network
  marquee cast --to NAME|URL SOURCE      play the film on a renderer

Run "marquee COMMAND --help" for a command's flags.

Flags of the app:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	if len(args) > 0 {
		switch args[0] {
		case "play":
			err = cmdPlay(args[1:], stdout, stderr)
		case "serve":
			err = cmdServe(args[1:], stdout, stderr)
		case "seed":
			err = cmdSeed(args[1:], stdout, stderr)
		case "cast":
			err = cmdCast(args[1:], stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		default:
			err = cmdApp(args, stderr)
		}
	} else {
		err = cmdApp(args, stderr)
	}
	if err != nil && !errors.Is(err, errInterrupted) && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "marquee:", err)
	}
	return exitCode(err)
}

// appArgs start the desktop app.
type appArgs struct {
	demo   bool
	source string
}

func cmdApp(args []string, stderr io.Writer) error {
	fs := newFlagSet("marquee", usage, stderr)
	demo := fs.Bool("demo", false, "add a locally seeded demo film (works offline)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage, err: err}
	}
	if fs.NArg() > 1 {
		return usageError("the app takes at most one SOURCE, got %d", fs.NArg())
	}
	return runApp(appArgs{demo: *demo, source: fs.Arg(0)})
}

func runApp(a appArgs) error {
	if path := os.Getenv("MARQUEE_CPUPROFILE"); path != "" {
		// Where the app's CPU goes under a real window (bench and README: profiling).
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return app.Run(app.Options{Demo: a.demo, Source: a.source})
}
