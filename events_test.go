package main

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPlayEventsMatchTheREADME pins the event structs to the README's table of headless
// play events: the same event kinds, and for each the same field names (and the fields of
// the file entries in "metadata"). A field renamed or dropped in the code, or documented
// and never sent, fails here.
func TestPlayEventsMatchTheREADME(t *testing.T) {
	documented := readmeEventTable(t)
	var kinds []string
	for _, ev := range allPlayEvents {
		kind := ev.kind()
		kinds = append(kinds, kind)
		doc, ok := documented[kind]
		if !ok {
			t.Errorf("event %q is sent but not in the README's table", kind)
			continue
		}
		fields, nested := jsonFields(reflect.TypeOf(ev).Elem())
		if !slices.Equal(sorted(fields), sorted(doc.fields)) {
			t.Errorf("event %q: the code sends %v, the README lists %v", kind, sorted(fields), sorted(doc.fields))
		}
		for name, sub := range nested {
			if !slices.Equal(sorted(sub), sorted(doc.nested[name])) {
				t.Errorf("event %q, %q entries: the code sends %v, the README lists %v", kind, name, sorted(sub), sorted(doc.nested[name]))
			}
		}
	}
	for kind := range documented {
		if !slices.Contains(kinds, kind) {
			t.Errorf("the README documents event %q, which is never sent", kind)
		}
	}
}

// Every event, in both forms, starts with its time and kind, and the text form prints the
// rest as JSON.
func TestEmitWritesHeadThenFields(t *testing.T) {
	var out bytes.Buffer
	events := &playEvents{w: &out, json: true, start: time.Now()}
	for _, ev := range allPlayEvents {
		out.Reset()
		events.emit(ev)
		line := out.String()
		if !regexp.MustCompile(`^\{"t_ms":\d+,"event":"` + ev.kind() + `"[,}]`).MatchString(line) {
			t.Errorf("%s: %q does not start with t_ms and event", ev.kind(), line)
		}
		var decoded map[string]any
		if err := json.Unmarshal([]byte(line), &decoded); err != nil {
			t.Errorf("%s: %q is not JSON: %v", ev.kind(), line, err)
		}
	}
	text := &playEvents{w: &out, start: time.Now()}
	out.Reset()
	text.emit(&stallEndEvent{PositionMs: 1500, StallMs: 20})
	if got := out.String(); !regexp.MustCompile(`^\s*\d+\.\d{3}s stall_end\s+\{"position_ms":1500,"stall_ms":20\}\n$`).MatchString(got) {
		t.Errorf("text form %q", got)
	}
	out.Reset()
	text.emit(&errorEvent{})
	if got := out.String(); !strings.Contains(got, `error       {"message":""}`) {
		t.Errorf("text form %q", got)
	}
}

type documentedEvent struct {
	fields []string
	nested map[string][]string // `files` (`index`, `path`, …): the fields of each entry
}

// readmeEventTable reads the table under "Headless play events": its rows name an event in
// the first column and its fields, in backquotes, in the last; backquoted words inside
// parentheses after a field are the fields of its entries when the field is a list of
// objects, and otherwise its values (such as `ended` or `duration`).
func readmeEventTable(t *testing.T) map[string]documentedEvent {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "#### Headless play events")
	if !ok {
		t.Fatal(`the README has no "Headless play events" section`)
	}
	code := regexp.MustCompile("`([a-z_]+)`")
	out := make(map[string]documentedEvent)
	inTable := false
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") || strings.TrimSpace(cells[0]) == "event" {
			continue
		}
		kind := code.FindStringSubmatch(cells[0])
		if kind == nil {
			t.Fatalf("README event row without an event name: %q", line)
		}
		ev := documentedEvent{nested: make(map[string][]string)}
		fieldsCell := cells[len(cells)-1]
		depth, last := 0, ""
		for i := 0; i < len(fieldsCell); i++ {
			switch c := fieldsCell[i]; c {
			case '(':
				depth++
			case ')':
				depth--
			case '`':
				end := strings.IndexByte(fieldsCell[i+1:], '`')
				if end < 0 {
					t.Fatalf("unclosed backquote in %q", line)
				}
				name := fieldsCell[i+1 : i+1+end]
				i += end + 1
				if depth == 0 {
					ev.fields = append(ev.fields, name)
					last = name
				} else {
					ev.nested[last] = append(ev.nested[last], name)
				}
			}
		}
		out[kind[1]] = ev
	}
	if len(out) == 0 {
		t.Fatal("no events in the README's table")
	}
	return out
}

// jsonFields lists the JSON names of an event struct's own fields (not t_ms and event), and
// for a field that is a list of structs, the names of their fields.
func jsonFields(typ reflect.Type) (fields []string, nested map[string][]string) {
	nested = make(map[string][]string)
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Anonymous {
			continue // eventHead
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		fields = append(fields, name)
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
			sub, _ := jsonFields(f.Type.Elem())
			nested[name] = sub
		}
	}
	return fields, nested
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
