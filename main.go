// Command marquee streams openly licensed films over BitTorrent. Without a subcommand it
// opens the desktop app; `play`, `serve` and `seed` run headless.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"marquee/app"
)

const usage = `Usage:
  marquee [--demo] [SOURCE]          open the app (SOURCE: magnet or .torrent to play)
  marquee play --headless [flags] SOURCE
  marquee serve [flags] SOURCE
  marquee seed [flags] PATH

Run "marquee COMMAND --help" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("marquee", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	demo := fs.Bool("demo", false, "add a locally seeded demo film (works offline)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := app.Run(app.Options{Demo: *demo}); err != nil {
		fmt.Fprintln(os.Stderr, "marquee:", err)
		return 1
	}
	return 0
}
