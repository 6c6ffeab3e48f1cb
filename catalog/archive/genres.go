package archive

import (
	"strings"

	"marquee/catalog"
)

// genre maps one of Marquee's genres to the subject words archive.org uploaders use
// for it. Subjects are free text ("Comedy; Romance", ["film noir", "crime"]), so a
// title gets every genre one of whose words appears in one of its subjects.
type genre struct {
	name  string
	words []string // folded, matched as whole words
}

var genres = []genre{
	{"Action", []string{"action"}},
	{"Adventure", []string{"adventure"}},
	{"Animation", []string{"animation", "animated", "cartoon", "cartoons"}},
	{"Comedy", []string{"comedy", "comedies", "screwball"}},
	{"Crime", []string{"crime", "gangster", "gangsters"}},
	{"Documentary", []string{"documentary", "documentaries"}},
	{"Drama", []string{"drama", "melodrama"}},
	{"Family", []string{"family", "children"}},
	{"Fantasy", []string{"fantasy"}},
	{"Film Noir", []string{"film noir", "noir"}},
	{"Horror", []string{"horror", "zombie", "zombies", "vampire", "vampires"}},
	{"Musical", []string{"musical", "musicals"}},
	{"Mystery", []string{"mystery", "detective", "whodunit"}},
	{"Romance", []string{"romance", "romantic"}},
	{"Sci-Fi", []string{"science fiction", "sci fi", "scifi"}},
	{"Silent", []string{"silent", "silent film", "silent films"}},
	{"Thriller", []string{"thriller", "suspense"}},
	{"War", []string{"war", "world war ii", "wwii"}},
	{"Western", []string{"western", "westerns", "cowboy", "cowboys"}},
}

// genreNames lists Marquee's genres in display order.
func genreNames() []string {
	out := make([]string, len(genres))
	for i, g := range genres {
		out[i] = g.name
	}
	return out
}

func lookupGenre(name string) (genre, bool) {
	folded := catalog.Fold(name)
	for _, g := range genres {
		if catalog.Fold(g.name) == folded {
			return g, true
		}
	}
	return genre{}, false
}

// genresOf maps an item's subjects to Marquee's genres.
func genresOf(subjects flex) []string {
	var words []string
	for _, s := range subjects {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
			if f := catalog.Fold(part); f != "" {
				words = append(words, " "+f+" ")
			}
		}
	}
	var out []string
	for _, g := range genres {
		for _, w := range g.words {
			if containsWord(words, w) {
				out = append(out, g.name)
				break
			}
		}
	}
	return out
}

func containsWord(padded []string, word string) bool {
	for _, p := range padded {
		if strings.Contains(p, " "+word+" ") {
			return true
		}
	}
	return false
}

// subjectClause is the advancedsearch filter for a genre.
func (g genre) subjectClause() string {
	terms := make([]string, len(g.words))
	for i, w := range g.words {
		if strings.Contains(w, " ") {
			terms[i] = `"` + w + `"`
		} else {
			terms[i] = w
		}
	}
	return "subject:(" + strings.Join(terms, " OR ") + ")"
}
