// WebTorrent 1.9.7 with the DHT and local service discovery off; everything else default.
const WebTorrent = require('webtorrent')

class LoopbackWebTorrent extends WebTorrent {
  constructor (opts = {}) {
    super(Object.assign({}, opts, { dht: false, lsd: false }))
  }
}

module.exports = LoopbackWebTorrent
