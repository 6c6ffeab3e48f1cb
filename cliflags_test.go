package main

import "testing"

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"1500000": 1500000, "512KiB": 512 << 10, "1.5MiB": 3 << 19, "1.5 MiB": 3 << 19,
		"2MB": 2_000_000, "4M/s": 4_000_000, "4M": 4_000_000, "64K": 64_000, "0": 0,
	} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "fast", "-1MB", "1.5XB", "99999999999EB"} {
		if got, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", bad, got)
		}
	}
}
