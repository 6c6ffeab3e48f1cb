package torrent

import (
	"path"
	"strings"
)

// FileKind classifies a file in a torrent by its extension, so the app can pick what to play
// and offer the rest (subtitles, extras) for later use.
type FileKind int

const (
	KindOther FileKind = iota
	KindVideo
	KindSubtitle
	KindAudio
)

func (k FileKind) String() string {
	switch k {
	case KindVideo:
		return "video"
	case KindSubtitle:
		return "subtitle"
	case KindAudio:
		return "audio"
	default:
		return "other"
	}
}

var kindByExtension = map[string]FileKind{
	".mkv": KindVideo, ".mp4": KindVideo, ".m4v": KindVideo, ".avi": KindVideo,
	".mov": KindVideo, ".webm": KindVideo, ".wmv": KindVideo, ".flv": KindVideo,
	".mpg": KindVideo, ".mpeg": KindVideo, ".ts": KindVideo, ".m2ts": KindVideo,
	".mts": KindVideo, ".ogv": KindVideo, ".3gp": KindVideo, ".vob": KindVideo,
	".divx": KindVideo, ".ogm": KindVideo,

	".srt": KindSubtitle, ".ass": KindSubtitle, ".ssa": KindSubtitle, ".vtt": KindSubtitle,
	".sub": KindSubtitle, ".idx": KindSubtitle, ".sup": KindSubtitle, ".smi": KindSubtitle,

	".mp3": KindAudio, ".aac": KindAudio, ".flac": KindAudio, ".ogg": KindAudio,
	".opus": KindAudio, ".m4a": KindAudio, ".wav": KindAudio, ".wma": KindAudio,
	".ac3": KindAudio, ".dts": KindAudio, ".mka": KindAudio,
}

// KindOf classifies a torrent file path ("dir/name.ext", slash-separated) by extension.
func KindOf(filePath string) FileKind {
	return kindByExtension[strings.ToLower(path.Ext(filePath))]
}

// File is one file of a torrent.
type File struct {
	Index  int    // index in the torrent's file list; pass it to NewStream
	Path   string // slash-separated path inside the torrent, starting with the torrent name
	Length int64
	Kind   FileKind
}

// mainFile picks the largest video file, or with none the largest audio file (an album, a
// radio play, a lecture); ties go to the lower index.
func mainFile(files []File) (File, error) {
	for _, kind := range []FileKind{KindVideo, KindAudio} {
		best := -1
		for i, f := range files {
			if f.Kind != kind || f.Length == 0 {
				continue
			}
			if best < 0 || f.Length > files[best].Length {
				best = i
			}
		}
		if best >= 0 {
			return files[best], nil
		}
	}
	return File{}, ErrNoPlayableFile
}
