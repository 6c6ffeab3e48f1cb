// Package feed reads catalogs published in Marquee's JSON feed schema, from a URL or a
// local file, and serves them as a catalog.Provider. The built-in catalog
// (assets/catalog.json) uses the same schema, so anyone can publish a catalog of
// legally shareable films the way Marquee ships its own.
//
// # Schema, version 1
//
// A feed is one UTF-8 JSON object of at most 8 MiB:
//
//	{
//	  "version": 1,
//	  "name": "Blender Open Movies",
//	  "description": "Films the Blender Foundation made and licensed for everyone.",
//	  "homepage": "https://studio.blender.org/films/",
//	  "titles": [
//	    {
//	      "id": "sintel",
//	      "kind": "movie",
//	      "name": "Sintel",
//	      "year": 2010,
//	      "runtime_seconds": 888,
//	      "genres": ["Animation", "Fantasy"],
//	      "synopsis": "A lonely young woman searches for the baby dragon she raised.",
//	      "poster": "https://example.org/sintel/poster.jpg",
//	      "backdrop": "",
//	      "licence": "CC BY 3.0",
//	      "licence_url": "https://creativecommons.org/licenses/by/3.0/",
//	      "attribution": "https://durian.blender.org/",
//	      "credit": "(c) copyright Blender Foundation | durian.blender.org",
//	      "popularity": 4000,
//	      "notes": "for the feed's maintainers; never shown",
//	      "sources": [
//	        {
//	          "magnet": "magnet:?xt=urn:btih:08ada5a7a6183aae1e09d831df6748d566095a10&dn=Sintel",
//	          "torrent_url": "https://webtorrent.io/torrents/sintel.torrent",
//	          "infohash": "08ada5a7a6183aae1e09d831df6748d566095a10",
//	          "webseeds": ["https://webtorrent.io/torrents/"],
//	          "trackers": ["udp://tracker.opentrackr.org:1337"],
//	          "quality": "1080p",
//	          "size": 129241752,
//	          "file_index": 3
//	        }
//	      ]
//	    }
//	  ]
//	}
//
// Top level: "version" (required, 1), "name" (required, at most 200 characters),
// "description" (at most 2000), "homepage" (an http(s) URL) and "titles" (required,
// 1 to 20,000 titles).
//
// A title: "id" (required; 1–128 letters, digits, '.', '_' or '-', starting with a
// letter or digit; unique in the feed; keep it stable, the user's favorites and resume
// positions refer to it), "kind" (required, "movie" or "series"), "name" (required, at
// most 300 characters), "year" (required, 1870–2100), "runtime_seconds" (0 = unknown,
// at most a day), "genres" (at most 16, each 1–40 characters, no repeats), "synopsis"
// (at most 5000), "poster" and "backdrop" (http(s) image URLs; leave them out and
// Marquee draws a title card), "licence" (required, see below), "licence_url"
// (required, an http(s) URL; a creativecommons.org one for Creative Commons licences),
// "attribution" (an http(s) link to the author, required for every CC BY licence),
// "credit" (the credit line, at most 500), "popularity" (a number ≥ 0, higher is more
// watched; Marquee sorts "Popular" by it across providers, so use a view count where
// you have one) and "notes" (at most 2000, ignored by Marquee).
//
// Licences: only works that may be shared are allowed. "licence" is one of "Public
// Domain", "Public Domain Mark 1.0", "CC0 1.0", or a Creative Commons licence written
// "CC BY[-SA|-ND|-NC|-NC-SA|-NC-ND] <version>[ <jurisdiction>]" with version 1.0, 2.0,
// 2.5, 3.0 or 4.0, e.g. "CC BY 4.0", "CC BY-SA 3.0", "CC BY 3.0 US".
//
// A movie has "sources" (1 to 20) and no "seasons". A series has "seasons" (1 to 100)
// and no title-level "sources". A season has "number" (required, ≥ 0 and unique; 0 is
// for specials) and "episodes" (1 to 500). An episode has "number" (required, ≥ 1 and
// unique in its season), "name" (at most 300 characters), "synopsis" (at most 5000),
// "runtime_seconds" and "sources" (1 to 20).
//
// A source needs at least one of "magnet" (a v1 magnet URI with an xt=urn:btih:
// infohash), "torrent_url" (an http(s) URL of a .torrent file) and "infohash" (40 hex
// or 32 base32 characters; when a magnet is given too they must agree). Optional:
// "webseeds" (at most 20 http(s) URLs, BEP 19), "trackers" (at most 50 http, https,
// udp, ws or wss URLs), "quality" (a label such as "1080p", at most 20 characters),
// "size" (bytes of the video file, ≥ 0) and "file_index" (the video's index in the
// torrent's file list, 0 to 100000; leave it out to let Marquee pick the largest video
// file). Every URL is at most 4096 bytes.
//
// Parsing is strict: unknown fields, wrong types, missing required fields and values
// out of range are errors, reported with the path of the offending field, e.g.
// `titles[2].sources[0].infohash: "abc": an info hash has 40 hex or 32 base32 characters, this has 3`.
// A feed with any error is rejected whole: a catalog that is half right would be
// wrong where it matters (licences, sources).
package feed
