package main

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// fyne package builds the .desktop entry from FyneApp.toml; `make package` then turns its
// Exec line to %U so that magnet links reach the app.
func TestFyneMetadataRegistersMagnetHandler(t *testing.T) {
	var meta struct {
		Details struct {
			Icon, Name, ID string
		}
		CanOpen struct {
			MimeTypes string
		}
	}
	if _, err := toml.DecodeFile("FyneApp.toml", &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Details.Name != "Marquee" || meta.Details.ID == "" {
		t.Fatalf("FyneApp.toml names the app %q with ID %q", meta.Details.Name, meta.Details.ID)
	}
	if st, err := os.Stat(meta.Details.Icon); err != nil || st.Size() == 0 {
		t.Fatalf("the icon %q is missing: %v", meta.Details.Icon, err)
	}
	for _, mime := range []string{"x-scheme-handler/magnet", "application/x-bittorrent"} {
		if !strings.Contains(meta.CanOpen.MimeTypes, mime+";") {
			t.Errorf("[CanOpen] MimeTypes %q lacks %s", meta.CanOpen.MimeTypes, mime)
		}
	}
	makefile, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(makefile), "Exec=\\1 %U") {
		t.Error("the Makefile's package target no longer rewrites the desktop entry's Exec line to pass URLs")
	}
}
