package catalog

import "testing"

func TestQualityFromName(t *testing.T) {
	for name, want := range map[string]string{
		"Sintel.2010.1080p.mkv":            "1080p",
		"tears_of_steel_720p.mov":          "720p",
		"Cosmos Laundromat 4K.mp4":         "2160p",
		"big_buck_bunny_480P_surround.avi": "480p",
		"Sintel.mp4":                       "",
		"x1080px.mp4":                      "",
		"s01e02-2160p-uhd.mkv":             "2160p",
	} {
		if got := QualityFromName(name); got != want {
			t.Errorf("QualityFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestQualityLabel(t *testing.T) {
	for h, want := range map[int]string{2160: "2160p", 1080: "1080p", 1079: "720p", 800: "720p", 239: "", 0: ""} {
		if got := QualityLabel(h); got != want {
			t.Errorf("QualityLabel(%d) = %q, want %q", h, got, want)
		}
	}
}
