// Package assets holds the files embedded in the Marquee binary.
package assets

import _ "embed"

// CatalogJSON is the built-in catalog, in the feed schema documented in catalog/feed.
// It is what a new user sees first, and it works offline. Every title in it carries an
// open licence; see each title's "notes" for how its source was checked.
//
//go:embed catalog.json
var CatalogJSON []byte

// Icon is the application icon (PNG).
//
//go:embed icon.png
var Icon []byte
