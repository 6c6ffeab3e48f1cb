package bench

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseFrameLine(t *testing.T) {
	f, ok, err := parseFrameLine("0,      -1024,          0,      512,   310937, 0x87755c1d")
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if f.stream != 0 || f.dts != -1024 || f.pts != 0 || f.duration != 512 || f.size != 310937 {
		t.Fatalf("parsed %+v", f)
	}
	if _, ok, err := parseFrameLine("0,        512,       1024,      512,    55519, 0xa1a00ff6, F=0x0"); !ok || err != nil {
		t.Fatalf("line with flags: ok=%v err=%v", ok, err)
	}
	for _, header := range []string{"#tb 0: 1/15360", "", "#software: Lavf59.27.100"} {
		if _, ok, err := parseFrameLine(header); ok || err != nil {
			t.Fatalf("%q: ok=%v err=%v, want a skipped header", header, ok, err)
		}
	}
	for _, bad := range []string{"0, 1, 2", "x, 1, 2, 3, 4, 0x0", "0, 1, 2, -3, 4, 0x0", "-1, 0, 0, 1, 1, 0x0"} {
		if _, _, err := parseFrameLine(bad); err == nil {
			t.Fatalf("%q parsed without error", bad)
		}
	}
}

func TestParseTimeBase(t *testing.T) {
	s, num, den, ok := parseTimeBase("#tb 0: 1/15360")
	if !ok || s != 0 || num != 1 || den != 15360 {
		t.Fatalf("got %d %d/%d %v", s, num, den, ok)
	}
	for _, bad := range []string{"#tb 0: 1/0", "#tb x: 1/2", "#tb 0 1/2", "0, 1", "#tb 0: -1/2"} {
		if _, _, _, ok := parseTimeBase(bad); ok {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestParseProcKB(t *testing.T) {
	status := []byte("Name:\tnode\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nThreads:\t11\n")
	n, err := parseProcKB(status, "VmHWM")
	if err != nil || n != 123456<<10 {
		t.Fatalf("got %d, %v", n, err)
	}
	if _, err := parseProcKB(status, "VmRSS"); err == nil {
		t.Fatal("missing key gave no error")
	}
	if _, err := parseProcKB([]byte("VmHWM: lots kB\n"), "VmHWM"); err == nil {
		t.Fatal("bad number gave no error")
	}
}

func TestParsePlayEvent(t *testing.T) {
	ev, err := parsePlayEvent(`{"t_ms":1234,"event":"first_frame","position_ms":0,"downloaded":2097152,"complete":0}`)
	if err != nil || ev.Event != "first_frame" || ev.TMS != 1234 || ev.Downloaded != 2097152 {
		t.Fatalf("got %+v, %v", ev, err)
	}
	for _, bad := range []string{"", "{}", "not json", `{"t_ms":"x","event":"end"}`} {
		if _, err := parsePlayEvent(bad); err == nil {
			t.Fatalf("%q parsed", bad)
		}
	}
}

func TestParseAnnounce(t *testing.T) {
	ih := strings.Repeat("\x01", 20)
	q := url.Values{"info_hash": {ih}, "peer_id": {"-XX0001-abcdefghijkl"}, "port": {"6881"}, "left": {"0"}, "event": {"started"}}
	a, err := parseAnnounce(q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if string(a.infoHash[:]) != ih || a.port != 6881 || a.left != 0 || a.event != "started" {
		t.Fatalf("parsed %+v", a)
	}
	q.Del("left")
	if a, err := parseAnnounce(q.Encode()); err != nil || a.left == 0 {
		t.Fatalf("without left: %+v, %v (a peer that says nothing is not a seeder)", a, err)
	}
	for name, v := range map[string]url.Values{
		"short hash": {"info_hash": {"abc"}, "peer_id": {"-XX0001-abcdefghijkl"}, "port": {"1"}},
		"no port":    {"info_hash": {ih}, "peer_id": {"-XX0001-abcdefghijkl"}},
		"port 0":     {"info_hash": {ih}, "peer_id": {"-XX0001-abcdefghijkl"}, "port": {"0"}},
		"big port":   {"info_hash": {ih}, "peer_id": {"-XX0001-abcdefghijkl"}, "port": {"70000"}},
		"no peer id": {"info_hash": {ih}, "port": {"1"}},
	} {
		if _, err := parseAnnounce(v.Encode()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseFrameLine(f *testing.F) {
	f.Add("0,      -1024,          0,      512,   310937, 0x87755c1d")
	f.Add("0,        512,       1024,      512,    55519, 0xa1a00ff6, F=0x0")
	f.Add("#tb 0: 1/15360")
	f.Fuzz(func(t *testing.T, line string) {
		fl, ok, err := parseFrameLine(line)
		if err != nil && ok {
			t.Fatal("ok with an error")
		}
		if ok && (fl.stream < 0 || fl.duration < 0 || fl.size < 0) {
			t.Fatalf("accepted negative fields: %+v", fl)
		}
		if _, num, den, ok := parseTimeBase(line); ok && (num <= 0 || den <= 0) {
			t.Fatalf("accepted time base %d/%d", num, den)
		}
	})
}

func FuzzParseAnnounce(f *testing.F) {
	f.Add("info_hash=%01%01%01%01%01%01%01%01%01%01%01%01%01%01%01%01%01%01%01%01&peer_id=-XX0001-abcdefghijkl&port=6881&left=0")
	f.Add("info_hash=&port=")
	f.Fuzz(func(t *testing.T, q string) {
		a, err := parseAnnounce(q)
		if err == nil && (a.port == 0 || len(a.peerID) != 20 || a.left < 0) {
			t.Fatalf("accepted %+v", a)
		}
	})
}

func FuzzParseProcKB(f *testing.F) {
	f.Add([]byte("VmHWM:\t  123456 kB\n"), "VmHWM")
	f.Add([]byte("MemTotal:       24576000 kB\n"), "MemTotal")
	f.Fuzz(func(t *testing.T, content []byte, key string) {
		if n, err := parseProcKB(content, key); err == nil && n < 0 {
			t.Fatalf("negative %d", n)
		}
	})
}

func FuzzParsePlayEvent(f *testing.F) {
	f.Add(`{"t_ms":1234,"event":"first_frame","downloaded":2097152}`)
	f.Add(`{"t_ms":1,"event":"stall_end","stall_ms":450}`)
	f.Fuzz(func(t *testing.T, line string) {
		if ev, err := parsePlayEvent(line); err == nil && ev.Event == "" {
			t.Fatal("accepted an event without a name")
		}
	})
}
