package httpstream

import (
	"net/http"
	"strings"
	"testing"
)

// Range headers come from any client on the network.
func FuzzDropEmptySuffixRanges(f *testing.F) {
	for _, s := range []string{"bytes=-0", "bytes=0-", "bytes=-0,10-19", "bytes=,,", "bytes= -00 , -5", "items=1-2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Range", v)
		before := h.Get("Range") // as net/http would hold it
		if !dropEmptySuffixRanges(h) {
			if !strings.HasPrefix(before, "bytes=") {
				t.Fatalf("%q: refused a header that is not a byte range", before)
			}
			return
		}
		after := h.Get("Range")
		if !strings.HasPrefix(before, "bytes=") {
			if after != before {
				t.Fatalf("%q was changed to %q, but it is not a byte range", before, after)
			}
			return
		}
		for _, r := range strings.Split(strings.TrimPrefix(after, "bytes="), ",") {
			if r = strings.TrimSpace(r); r != "" && strings.HasPrefix(r, "-") && strings.TrimLeft(r, "-0") == "" {
				t.Fatalf("%q kept the empty suffix %q: %q", before, r, after)
			}
		}
	})
}
