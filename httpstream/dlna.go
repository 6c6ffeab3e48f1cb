package httpstream

import (
	"net/http"
	"strings"
)

// DLNA flags (DLNA guidelines 7.4.1.3.24, the 32 hex digits of DLNA.ORG_FLAGS): the first
// eight carry the primary flags, the rest are reserved zeros.
const (
	flagStreamingMode   = 1 << 24 // tm-s: Streaming transfer mode, for audio and video
	flagInteractiveMode = 1 << 23 // tm-i: Interactive transfer mode, for other content
	flagBackgroundMode  = 1 << 22 // tm-b: Background transfer mode, for any content
	flagConnectionStall = 1 << 21 // the server may hold a connection while data arrives
	flagDLNAv15         = 1 << 20 // the flags follow DLNA 1.5
)

func contentFeatures(flags uint32) string {
	// OP=01: byte ranges (Range) are supported, time seeking (TimeSeekRange) is not.
	// CI=0: the film is served as stored, not transcoded.
	return "DLNA.ORG_OP=01;DLNA.ORG_CI=0;DLNA.ORG_FLAGS=" + hex8(flags) + strings.Repeat("0", 24)
}

func hex8(v uint32) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return string(b)
}

// ContentFeatures is the 4th field of the film's DLNA protocolInfo and the answer to
// getcontentFeatures.dlna.org: seekable by byte range, streamed, may stall while pieces
// download.
var ContentFeatures = contentFeatures(flagStreamingMode | flagBackgroundMode | flagConnectionStall | flagDLNAv15)

// subtitleFeatures is the same for the SRT file, which is not audio or video and so is
// fetched in Interactive mode.
var subtitleFeatures = contentFeatures(flagInteractiveMode | flagBackgroundMode | flagDLNAv15)

// dlnaHeaders answers the DLNA request headers (DLNA guidelines 7.4.26 and 7.4.49) and
// reports whether the request may go on; when not, the error answer is written.
func (s *Server) dlnaHeaders(w http.ResponseWriter, r *http.Request, f *File, streaming bool) bool {
	h := w.Header()
	// transferMode: the server echoes the mode the client asked for, and answers 406 to a
	// mode the content does not allow (Streaming only for audio and video, Interactive
	// only for the rest); without one it names the content's default mode.
	mode := "Interactive"
	if streaming {
		mode = "Streaming"
	}
	if asked := r.Header.Get("transferMode.dlna.org"); asked != "" {
		switch {
		case strings.EqualFold(asked, "Background"), strings.EqualFold(asked, mode):
			mode = canonicalMode(asked)
		default:
			http.Error(w, "transferMode.dlna.org: "+asked+" is not available for "+f.Name, http.StatusNotAcceptable)
			return false
		}
	}
	h.Set("transferMode.dlna.org", mode)

	if v := r.Header.Get("getcontentFeatures.dlna.org"); v != "" {
		if v != "1" {
			http.Error(w, "getcontentFeatures.dlna.org must be 1", http.StatusBadRequest)
			return false
		}
		if streaming {
			h.Set("contentFeatures.dlna.org", ContentFeatures)
		} else {
			h.Set("contentFeatures.dlna.org", subtitleFeatures)
		}
	}
	// DLNA.ORG_OP says time seeking is not supported, and a server that does not support
	// it answers 406; so does one asked for a play speed other than normal.
	if r.Header.Get("TimeSeekRange.dlna.org") != "" {
		http.Error(w, "TimeSeekRange.dlna.org is not supported: seek by byte Range", http.StatusNotAcceptable)
		return false
	}
	if v := r.Header.Get("PlaySpeed.dlna.org"); v != "" && v != "speed=1" {
		http.Error(w, "PlaySpeed.dlna.org: only speed=1 is served", http.StatusNotAcceptable)
		return false
	}
	// Samsung TVs ask where the subtitle of a film is.
	if streaming && s.subPath != "" && r.Header.Get("getCaptionInfo.sec") == "1" {
		h.Set("CaptionInfo.sec", "http://"+r.Host+s.subPath)
	}
	return true
}

func canonicalMode(m string) string {
	switch strings.ToLower(m) {
	case "streaming":
		return "Streaming"
	case "interactive":
		return "Interactive"
	}
	return "Background"
}
