//go:build !unix

package torrent

import "io/fs"

func allocatedSize(fi fs.FileInfo) int64 { return fi.Size() }
