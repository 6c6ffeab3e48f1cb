package catalog

import (
	"regexp"
	"strconv"
	"strings"
)

// QualityLabel is the quality label of a picture this many lines high: "1080p" for 1080
// up to 1439, "" below 240.
func QualityLabel(height int) string {
	for _, h := range []int{2160, 1440, 1080, 720, 576, 480, 360, 240} {
		if height >= h {
			return strconv.Itoa(h) + "p"
		}
	}
	return ""
}

var qualityInName = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])(2160p|1440p|1080p|720p|576p|480p|360p|240p|4k|uhd)(?:$|[^a-z0-9])`)

// QualityFromName reads a quality label from a release's file name, the way such names
// spell it ("Sintel.2010.1080p.mkv", "tears_of_steel_720p.mov", "…4K…"); "" when it names
// none.
func QualityFromName(name string) string {
	m := qualityInName.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	switch q := strings.ToLower(m[1]); q {
	case "4k", "uhd":
		return "2160p"
	default:
		return q
	}
}
