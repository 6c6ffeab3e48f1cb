package cast

import (
	"net/url"
	"testing"
	"time"
)

// Times come from renderers, which write them in many ways.
func FuzzParseHMS(f *testing.F) {
	for _, s := range []string{"0:00:00", "1:02:03.456", "0:00:02.1/4", "NOT_IMPLEMENTED", "-0:00:01", "999999999:59:59.999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseHMS(s)
		if !ok {
			return
		}
		if d >= 0 && d < 1000*time.Hour {
			back, ok := ParseHMS(FormatHMS(d, true))
			if !ok || back != d.Truncate(time.Millisecond) {
				t.Fatalf("%q reads as %v, which writes as %q and reads back as %v, %v", s, d, FormatHMS(d, true), back, ok)
			}
		}
	})
}

// A description is whatever a device on the network sends.
func FuzzParseDescription(f *testing.F) {
	f.Add([]byte(description))
	f.Add([]byte(`<root xmlns="urn:schemas-upnp-org:device-1-0"><URLBase>%zz</URLBase></root>`))
	f.Add([]byte(`<root><device><deviceList><device><deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType></device></deviceList></device></root>`))
	loc, _ := url.Parse("http://192.0.2.1:1400/description.xml")
	f.Fuzz(func(t *testing.T, body []byte) {
		root, err := parseDescription(body, loc)
		if err != nil {
			return
		}
		// What Open does next must not panic either.
		newRenderer(root, loc, newHTTPClient())
	})
}
