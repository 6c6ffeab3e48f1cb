package feed

import (
	"os"
	"strings"
	"testing"
)

// The README's schema section and the package documentation state every limit the validator
// checks, with the number it uses: change a limit and this fails until the text says so too.
func TestSchemaDocumentsEveryLimit(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section, ok := markdownSection(string(readme), "## Publishing a catalog: the feed schema")
	if !ok {
		t.Fatal("the README has no section \"Publishing a catalog: the feed schema\"")
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var comment strings.Builder
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "//"); ok {
			comment.WriteString(rest + "\n")
		}
	}
	texts := map[string]string{"README.md schema section": oneSpace(section), "doc.go": oneSpace(comment.String())}
	for _, l := range schemaLimits {
		for name, text := range texts {
			if !strings.Contains(text, oneSpace(l.phrase)) {
				t.Errorf("%s does not state %s as %q", name, l.limit, l.phrase)
			}
		}
	}
}

func markdownSection(md, heading string) (string, bool) {
	_, rest, ok := strings.Cut(md, "\n"+heading+"\n")
	if !ok {
		return "", false
	}
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	return rest, true
}

func oneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
