// Package catalog is Marquee's model of what can be watched and where it comes from.
//
// A [Title] (a movie, or a series of seasons and episodes) carries its licence and one
// or more [Source]s: a magnet, a .torrent URL or an infohash, plus webseeds. Titles come
// from [Provider]s, one package per provider (rclone style):
//
//   - catalog/builtin: the curated catalog embedded in the binary (works offline);
//   - catalog/archive: public-domain films from the Internet Archive;
//   - catalog/feed: catalogs that anyone publishes in Marquee's JSON feed schema;
//   - catalog/mytorrents: magnets and .torrent files the user added by hand.
//
// A [Catalog] runs one [Query] (text, genre, sort, page) across the enabled providers
// at once. Each provider gets its own deadline, so a slow or broken provider costs the
// others nothing: its failure is reported in [Page.Errors] next to everyone else's
// results.
//
// Title IDs are global and stable: "<provider id>:<id inside the provider>", so the
// user's library (catalog/library) can refer to a title across restarts and
// [Catalog.Get] knows which provider to ask.
//
// Swarm health lives in catalog/health, a cache over a scraper that the app wires to the
// engine's tracker scrape; the catalog never imports the torrent engine.
package catalog
