// Package torrent is Marquee's BitTorrent streaming engine. An Engine owns one anacrolix
// client and is the only code in the app that imports anacrolix (its test-swarm helper,
// torrenttest, is the other). It adds torrents from magnets, info hashes, .torrent files and
// URLs, streams files to the player through Stream (an io.ReadSeekCloser), reports
// availability and statistics, seeds with a kill switch, and keeps a size-capped cache.
//
// # Streaming policy
//
// A player opening a film reads the container header at the start, then jumps to the end
// (MP4 moov atoms and MKV cues usually live there), then reads sequentially from the first
// frame, and seeks whenever the user does. The engine sets per-piece priorities itself instead
// of relying on anacrolix's reader readahead, because anacrolix orders pieces within one
// priority level by partial-first, then rarest, then index: a single-level window would not
// fill in order. Priorities are recomputed whenever a stream opens, seeks, reads into a new
// piece, changes its window or a piece completes, and only changed pieces are touched.
//
// Head and tail. NewStream prioritises the head and the tail of the file (High) before it
// returns, so both download in parallel before the first Read: the player's jump to the end
// finds its data already there. The head is 1% of the file, clamped to 1–4 MiB; the tail is
// 0.2% of the file, clamped to 1–8 MiB; each is at least one piece, and a file smaller than
// both is taken whole. Why: an MP4 moov index costs about 12–20 bytes per sample, which for
// usual film bitrates is 0.1–0.2% of the file (about 3.5 MB for a 2 GiB, 2 hour film); MKV
// cues are far smaller; ID3v1 and similar trailers are bytes. The head only has to cover the
// header and what demuxers probe before the first frame (FFmpeg's probe size is 5 MB). The caps
// keep head + tail + the first window within about 16 MiB before the first frame, even for a
// file with moov at the end; a tail guess that is too small costs one extra window at the
// player's seek, not a wrong answer.
//
// Readahead window. From the read position the first two missing pieces get Now, the next
// four get Next and the rest of the window Readahead, so the window fills nearest-first and
// the piece the player waits for is always the most wanted. The window defaults to 8 MiB (at
// least two pieces) until the player sizes it with SetReadahead or SetReadaheadDuration
// (seconds × bitrate), capped at 512 MiB.
//
// Seeking. Seek re-plans at once, before the next Read: the target's pieces get Now/Next/
// Readahead and the old window drops to no priority, so its requests are cancelled instead of
// competing. A Read at a missing piece blocks until the piece is downloaded and verified —
// never unverified bytes — or until its context ends, the stream or the torrent is closed, or
// the engine closes; it then returns the context's error or an error wrapping ErrClosed.
//
// Background download. Once a stream has read a whole window contiguously since its last
// seek (the player is past start-up and probing), the rest of its file downloads at Normal
// priority, below everything above, so the file completes for seeding without delaying the
// first frame or a seek. A seek stops it until the stream is steady again. DownloadAll
// requests every file at that level.
//
// Web seeds. BEP 19 web seeds are fetched by the engine (webseed.go), not by anacrolix, whose
// web seed requests go out on a 5 s timer in its own order. Every connection of a web seed takes
// the most wanted missing slice (at most 1 MiB, within one file) in the planner's order: Now,
// Next, head and tail, Readahead, then the background. While peers deliver, a web seed takes only
// pieces that no peer has been asked for and that it can bring well before the reader gets there
// (from its measured rate and the player's bitrate); those get priority None at anacrolix so that
// peers fetch other pieces. The piece a read has waited on for a second may come from both, and
// the faster wins. A piece is
// hash-checked in memory, written to storage and then marked complete through
// Piece.UpdateCompletion, so readers and peers see it as if a peer had sent it.
//
// Several streams on one torrent coexist: each piece gets the highest priority any stream
// wants.
//
// # Storage
//
// Data is stored with plain pread/pwrite files (anacrolix's default file storage picks mmap
// unless an environment variable says otherwise; mmap'd pages count towards RSS). Cached data
// lives in DataDir/data/<infohash>/; seeded files stay where they are, opened read-only.
// Verified pieces are recorded in DataDir/marquee-state.db after their data is synced, so a
// restart never re-downloads or rehashes them, and data deleted behind the engine's back is
// fetched again rather than served. Metadata from .torrent files and from peers is validated
// before anything is written: hostile paths (.., absolute, separators, duplicates) are refused.
//
// # Seeding
//
// SetSeeding(false) stops payload to every peer of every torrent at once, open connections
// included (they stay open, choked) and returns once no more payload leaves. A ratio limit
// and seed-only-while-watching apply per torrent. With seeding off, complete torrents also
// refuse new connections (anacrolix only wants connections that download or seed).
//
// # anacrolix v1.61 defects worked around here
//
//   - A connection's writer can lose its wake-up and then sends no request until the keep-alive
//     timer (a minute) or the next message written to it (upstream issue 1070). The timer
//     cannot simply be shortened: aria2 drops peers sending two keep-alives within 5 s as
//     flooding. Instead, while a Read has waited 200 ms, the engine wakes the writers itself
//     with anacrolix's own unexported wake-up, reached by linkname (nudgeStalledReads,
//     writerwake.go). Re-asserting a piece's priority, the earlier attempt, woke nobody: in
//     v1.61 a priority change reaches the peers only when it adds or removes a wanted piece,
//     and even then it is dropped while an update is pending.
//   - Reading data for a peer request that fails after its torrent closed panics the process:
//     storage reads never fail after Close (storage.go, readAfterClose).
//   - AddTorrentOpts.DisallowDataUpload is ignored: it is applied before the info is set
//     (add.go).
//   - Torrent.DisallowDataDownload (also anacrolix's default reaction to a failed chunk write)
//     leaves pieces pending that its request order drops, and an amortized consistency check
//     then panics the process: the engine never calls it. A failed write stops the download
//     through the planner instead, and fails waiting reads (storageWriteFailed).
//   - File readers read past the end of their file, and their readahead grows without bound
//     with sequential reads: Stream clamps reads and pins the reader's readahead.
//   - A torrent with a v2 file tree (hybrid v1+v2) is sized as the sum of its files, without
//     the padding that aligns them, so a reader never reaches the last bytes of the last file,
//     and cancelling a read there panics in reader.updatePieceCompletion. Stream keeps
//     anacrolix's reader below that size and reads the rest from storage once its piece is
//     verified (readPastReaderEnd).
//   - Web seed requests go out on a 5 s timer and in anacrolix's own order; for a single-file
//     torrent it sends one GET of the whole file without Range, so a moov at the end meant
//     downloading the film first. anacrolix is never given web seeds (ClientConfig.
//     DisableWebseeds); the engine fetches them itself in the planner's order (webseed.go).
//   - An explicit peer is forgotten after one failed attempt: x.pe and AddPeers addresses are
//     offered again every few seconds while they are not connected.
//   - The bencode decoder recurses with no depth limit: a few MB of nested lists overflow
//     the stack, which no recover catches. .torrent data goes through benscan.Check first
//     (source.DecodeTorrent); a magnet's xs, which anacrolix would fetch and decode with no limit,
//     is fetched by the engine (fetchSources); metadata from peers, which anacrolix decodes
//     before checking its hash, is bounded per piece as it arrives (peerMetadataGuard).
//   - A piece whose storage answers "completion unknown" is neither hashed nor requested, so
//     it never arrives: the storage answers unknown only for data found at open time with no
//     recorded state, never for the holes a sparse download leaves (storage.go, open).
//   - The HTTP scrape logs to the standard logger, ignores HTTP status and body size and
//     derives the wrong URL for /announce.php-style trackers: Scrape does HTTP itself.
package torrent
