package cast

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"marquee/httpstream"
)

// DIDL is the film's DIDL-Lite metadata for SetAVTransportURI: its title, a res with the
// protocolInfo the server answers (MIME type and DLNA features), size and duration, and
// the subtitle both as a second res (the DLNA way) and as sec:CaptionInfoEx (Samsung's).
func (m Media) DIDL() string {
	var b strings.Builder
	b.WriteString(`<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/" xmlns:dlna="urn:schemas-dlna-org:metadata-1-0/" xmlns:sec="http://www.sec.co.kr/">`)
	b.WriteString(`<item id="marquee-0" parentID="-1" restricted="1">`)
	b.WriteString(`<dc:title>` + escape(m.Title) + `</dc:title>`)
	b.WriteString(`<upnp:class>object.item.videoItem.movie</upnp:class>`)
	mime := m.MIME
	if mime == "" {
		mime = "video/*"
	}
	b.WriteString(`<res protocolInfo="` + escape("http-get:*:"+mime+":"+httpstream.ContentFeatures) + `"`)
	if m.Size > 0 {
		b.WriteString(` size="` + strconv.FormatInt(m.Size, 10) + `"`)
	}
	if m.Duration > 0 {
		b.WriteString(` duration="` + FormatHMS(m.Duration, true) + `"`)
	}
	b.WriteString(`>` + escape(m.URL) + `</res>`)
	if m.SubtitleURL != "" {
		sub := m.SubtitleMIME
		if sub == "" {
			sub = httpstream.SubtitleType
		}
		b.WriteString(`<res protocolInfo="` + escape("http-get:*:"+sub+":*") + `">` + escape(m.SubtitleURL) + `</res>`)
		b.WriteString(`<sec:CaptionInfoEx sec:type="srt">` + escape(m.SubtitleURL) + `</sec:CaptionInfoEx>`)
	}
	b.WriteString(`</item></DIDL-Lite>`)
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// FormatHMS writes d as UPnP's H+:MM:SS, with milliseconds (".FFF") when frac, as DIDL-Lite
// durations carry them; Seek targets are whole seconds, which every renderer parses.
func FormatHMS(d time.Duration, frac bool) string {
	d = max(d, 0)
	h, m, s := int64(d/time.Hour), int64(d/time.Minute)%60, int64(d/time.Second)%60
	out := fmt.Sprintf("%d:%02d:%02d", h, m, s)
	if frac {
		out += fmt.Sprintf(".%03d", int64(d/time.Millisecond)%1000)
	}
	return out
}

// ParseHMS reads UPnP's H+:MM:SS[.F+ | .F0/F1] times; renderers answer NOT_IMPLEMENTED
// or "" when they do not know, which is false.
func ParseHMS(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(strings.TrimPrefix(v, "-"), "+")
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err := strconv.ParseUint(parts[0], 10, 32)
	if err != nil || len(parts[0]) == 0 {
		return 0, false
	}
	m, err := strconv.ParseUint(parts[1], 10, 8)
	if err != nil || len(parts[1]) != 2 || m > 59 {
		return 0, false
	}
	secPart, fracPart, hasFrac := strings.Cut(parts[2], ".")
	s, err := strconv.ParseUint(secPart, 10, 8)
	if err != nil || len(secPart) != 2 || s > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	if hasFrac {
		if num, den, ok := strings.Cut(fracPart, "/"); ok {
			// F0/F1: a fraction of a second, F0 < F1.
			n, err1 := strconv.ParseUint(num, 10, 32)
			dd, err2 := strconv.ParseUint(den, 10, 32)
			if err1 != nil || err2 != nil || dd == 0 || n >= dd {
				return 0, false
			}
			d += time.Duration(n) * time.Second / time.Duration(dd)
		} else {
			if fracPart == "" || strings.Trim(fracPart, "0123456789") != "" {
				return 0, false
			}
			digits := fracPart[:min(len(fracPart), 9)]
			n, _ := strconv.ParseUint(digits, 10, 64)
			for i := len(digits); i < 9; i++ {
				n *= 10
			}
			d += time.Duration(n)
		}
	}
	if neg {
		d = -d
	}
	return d, true
}
