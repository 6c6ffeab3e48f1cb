// Preloaded with `node --import ./loopback.mjs node_modules/webtorrent-cli/bin/cmd.js ...`.
//
// webtorrent-cli 4.1.0 has no flags to turn off the DHT or local service discovery, and
// both would send packets beyond loopback (DHT bootstrap routers, LSD multicast). This
// hook hands the CLI a WebTorrent client created with {dht: false, lsd: false} and
// otherwise leaves webtorrent 1.9.7 and the CLI exactly as published, so peers come only
// from the tracker in the magnet link, as for every other engine in the benchmark.
import { register } from 'node:module'

register('./loopback-hooks.mjs', import.meta.url)
