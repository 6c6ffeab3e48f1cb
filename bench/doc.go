// Package bench measures Marquee against the streaming engines in use today (webtorrent
// 1.9.7 as Popcorn Time pins it, peerflix 0.39.0 / torrent-stream, and aria2c for raw
// throughput) on the same local swarm, in the same run. `make bench` runs
// BenchmarkEngines, which writes RESULTS.md and results.png beside this file.
//
// Fairness rules the harness keeps:
//   - Every engine gets the same magnet (info hash, name, one tracker), the same film, the
//     same seeders with the same upload caps, a fresh data folder and a fresh swarm per run.
//   - Peers come only from a loopback HTTP tracker (tracker.go); DHT, local discovery and
//     PEX are off everywhere. webtorrent-cli has no switch for its DHT and LSD, so a
//     resolve hook (npm/webtorrent/loopback.mjs) hands it a client with both off and
//     changes nothing else. When unshare(1) allows, the whole run happens in a network
//     namespace that holds only a loopback interface.
//   - Seeders are aria2c processes, a third-party client, capped with its own
//     --max-upload-limit; what an engine received is counted at the seeders.
//   - The reader is the same ffmpeg command for every engine's HTTP URL (reader.go);
//     Marquee's in-process player is reported beside it, never instead of it.
//
// The npm engines are installed with `npm ci --ignore-scripts` from the manifests in
// npm/ into the git-ignored peers/ folder; films are made by the ffmpeg CLI and cached in
// the module's testdata/bench (also git-ignored).
package bench
