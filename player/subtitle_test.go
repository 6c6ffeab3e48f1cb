package player

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestStripMarkup(t *testing.T) {
	for in, want := range map[string]string{
		"<i>Hello</i> world":                      "Hello world",
		`{\an8}Top line`:                          "Top line",
		`{\i1}Slanted{\i0}\Nnext`:                 "Slanted\nnext",
		`one\ntwo\hthree`:                         "one\ntwo\u00a0three",
		`<font color="#ff0000">Red</font>`:        "Red",
		"<c.yellow.bg_blue>Caption</c>":           "Caption",
		"<v Roger Bingham>We are in New York":     "We are in New York",
		"<00:00:01.000>karaoke <b>bold</b>":       "karaoke bold",
		"Tom &amp; Jerry &lt;3 &gt; &nbsp;x":      "Tom & Jerry <3 > \u00a0x",
		"a < b and c > d":                         "a < b and c > d",
		"{not a tag} stays":                       "{not a tag} stays",
		"  padded  \r\n\r\n  lines  ":             "padded\nlines",
		"old\rmac":                                "old\nmac",
		"<unclosed tag":                           "<unclosed tag",
		"":                                        "",
		"<i></i>":                                 "",
		"Line with <3 hearts":                     "Line with <3 hearts",
		"<ruby>漢<rt>kan</rt></ruby>":              "漢kan",
		`{\pos(10,20)\c&H00FF00&}Positioned text`: "Positioned text",
	} {
		if got := StripMarkup(in); got != want {
			t.Errorf("StripMarkup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPacketText(t *testing.T) {
	movText := func(s string) []byte {
		b := binary.BigEndian.AppendUint16(nil, uint16(len(s)))
		b = append(b, s...)
		return append(b, 0, 0, 0, 12, 's', 't', 'y', 'l', 0, 0, 0, 0) // a style box follows
	}
	for _, c := range []struct {
		codec string
		data  []byte
		want  string
		bad   bool
	}{
		{"subrip", []byte("<i>Hello</i>\nworld"), "Hello\nworld", false},
		{"ass", []byte(`3,0,Default,,0,0,0,,{\i1}Hi{\i0}, there\Nfriend`), "Hi, there\nfriend", false},
		{"ass", []byte("not enough,fields"), "", true},
		{"mov_text", movText("Plain <b>text</b>"), "Plain text", false},
		{"mov_text", []byte{0, 0}, "", false},
		{"mov_text", []byte{0, 9, 'a'}, "", true},
		{"mov_text", []byte{1}, "", true},
		{"webvtt", []byte("<v Bob>Hi &amp; bye"), "Hi & bye", false},
		{"dvd_subtitle", []byte{1, 2, 3}, "", true},
		{"subrip", []byte{0xe9, 't', 0xe9}, "été", false},       // Windows-1252
		{"subrip", []byte{0x80, 0x81, 0x93}, "€\ufffd“", false}, // an undefined Windows-1252 byte
	} {
		got, err := packetText(c.codec, c.data)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("packetText(%s, %q) = %q, %v; want %q (error %v)", c.codec, c.data, got, err, c.want, c.bad)
		}
	}
}

func cue(start, end int, text string) Cue { return Cue{Start: ms(start), End: ms(end), Text: text} }

func TestParseSubtitles(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []Cue
	}{
		{"plain.srt", "1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i>\nworld\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n",
			[]Cue{cue(1000, 2500, "Hello\nworld"), cue(3000, 4000, "Bye")}},
		{"crlf-bom.srt", "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n\r\n2\r\n00:01:00.5 --> 00:01:01,25\r\nDot and short fractions\r\n",
			[]Cue{cue(1000, 2000, "Hi"), cue(60500, 61250, "Dot and short fractions")}},
		{"glued.srt", "1\n00:00:01,000 --> 00:00:02,000\nOne\n2\n00:00:02,000 --> 00:00:03,000\nTwo\n",
			[]Cue{cue(1000, 2000, "One"), cue(2000, 3000, "Two")}},
		{"unsorted.srt", "00:00:05,000 --> 00:00:06,000\nLater\n\n00:00:01,000 --> 00:00:02,000\nEarlier\n",
			[]Cue{cue(1000, 2000, "Earlier"), cue(5000, 6000, "Later")}},
		{"hours.srt", "1\n01:02:03,004 --> 01:02:04,000\nLong film\n",
			[]Cue{{Start: time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond, End: time.Hour + 2*time.Minute + 4*time.Second, Text: "Long film"}}},
		{"bad-cues.srt", "1\n00:00:02,000 --> 00:00:01,000\nBackwards\n\n2\n00:00:03,000 --> 00:00:04,000\n\n3\n00:00:05,000 --> 00:00:06,000\nKept\n",
			[]Cue{cue(5000, 6000, "Kept")}},
		{"cp1252.srt", "1\n00:00:01,000 --> 00:00:02,000\n\x93Caf\xe9\x94 \x96 na\xefve\n",
			[]Cue{cue(1000, 2000, "“Café” – naïve")}},
		{"sub.vtt", "WEBVTT - a title\n\nNOTE this is a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 line:0 position:10%\n<v Ann>Hello <c.big>there</c>\n\n00:00:03.000 --> 00:00:04.000\nTom &amp; Jerry\n",
			[]Cue{cue(1000, 2000, "Hello there"), cue(3000, 4000, "Tom & Jerry")}},
		{"script.ass", "[Script Info]\nTitle: x\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.50,0:00:03.00,Default,,0,0,0,,{\\an8}Hi, you\\Nthere\nComment: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,ignored\nDialogue: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,Bye\n",
			[]Cue{cue(1500, 3000, "Hi, you\nthere"), cue(4000, 5000, "Bye")}},
		{"reordered.ssa", "[Events]\nFormat: Marked, Start, End, Style, Text\nDialogue: Marked=0,0:00:01.00,0:00:02.00,Default,Old style\n",
			[]Cue{cue(1000, 2000, "Old style")}},
	} {
		got, err := ParseSubtitles(strings.NewReader(c.file), c.name)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: cue %d = %+v, want %+v", c.name, i, got[i], c.want[i])
			}
		}
	}

	for name, file := range map[string]string{
		"empty.srt":  "",
		"no-cues":    "just some text\nwith lines\n",
		"binary.srt": "\x00\x01\x02 --> \x00",
		"header.vtt": "WEBVTT\n\n",
		"bad-times":  "1\n00:00:xx,000 --> 00:00:02,000\nText\n",
	} {
		if cues, err := ParseSubtitles(strings.NewReader(file), name); err == nil {
			t.Errorf("%s: parsed %+v, want an error", name, cues)
		} else if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	big := strings.NewReader(strings.Repeat("x", maxSubtitleFile+1))
	if _, err := ParseSubtitles(big, "huge.srt"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: %v", err)
	}
}

func TestCueList(t *testing.T) {
	var l cueList
	l.add(cue(1000, 3000, "long"))
	l.add(cue(2000, 2500, "short"))
	l.add(cue(2000, 2500, "short")) // seen again after a seek back
	l.add(cue(5000, 4000, "backwards"))
	l.add(cue(6000, 7000, ""))
	if n := len(l.snapshot()); n != 2 {
		t.Fatalf("%d cues kept, want 2", n)
	}
	for _, c := range []struct {
		at   int
		text string
		next int
	}{
		{500, "", 1000}, {1500, "long", 2000}, {2200, "long\nshort", 2500}, {2700, "long", 3000}, {3500, "", -1},
	} {
		text, next := l.at(ms(c.at))
		if text != c.text || next != ms(c.next) && !(c.next < 0 && next < 0) {
			t.Errorf("at %dms: %q next %v, want %q next %dms", c.at, text, next, c.text, c.next)
		}
	}
}

func FuzzParseSubtitles(f *testing.F) {
	f.Add("1\n00:00:01,000 --> 00:00:02,000\n<i>Hi</i>\n", "a.srt")
	f.Add("WEBVTT\n\n00:01.000 --> 00:02.000 align:start\n<v A>Hi &amp; bye\n", "a.vtt")
	f.Add("[Script Info]\n[Events]\nFormat: Layer, Start, End, Text\nDialogue: 0,0:00:01.00,0:00:02.00,{\\an8}Hi\n", "a.ass")
	f.Add("00:00:01,000 --> 00:00:02,000", "")
	f.Fuzz(func(t *testing.T, file, name string) {
		cues, err := ParseSubtitles(strings.NewReader(file), name)
		if err != nil {
			if len(cues) != 0 {
				t.Fatal("cues with an error")
			}
			return
		}
		if len(cues) == 0 {
			t.Fatal("no cues and no error")
		}
		for i, c := range cues {
			if c.End <= c.Start || c.Start < 0 || c.Text == "" || !utf8.ValidString(c.Text) || strings.Contains(c.Text, "\r") {
				t.Fatalf("bad cue %+v", c)
			}
			if i > 0 && c.Start < cues[i-1].Start {
				t.Fatal("cues out of order")
			}
		}
	})
}

func FuzzPacketText(f *testing.F) {
	f.Add("subrip", []byte("<i>Hello</i>"))
	f.Add("ass", []byte(`1,0,Default,,0,0,0,,{\i1}Hi\Nthere`))
	f.Add("mov_text", []byte{0, 2, 'H', 'i'})
	f.Add("webvtt", []byte("<c.x>Hi</c> &amp;"))
	f.Fuzz(func(t *testing.T, codec string, data []byte) {
		text, err := packetText(codec, data)
		if err != nil && text != "" {
			t.Fatal("text with an error")
		}
		if !utf8.ValidString(text) || strings.Contains(text, "\r") || strings.HasPrefix(text, " ") || strings.HasSuffix(text, " ") {
			t.Fatalf("unclean text %q", text)
		}
	})
}
