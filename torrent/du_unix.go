//go:build unix

package torrent

import (
	"io/fs"
	"syscall"
)

// allocatedSize counts the blocks a file really uses: cached files are sparse while they download.
func allocatedSize(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return min(st.Blocks*512, fi.Size())
	}
	return fi.Size()
}
