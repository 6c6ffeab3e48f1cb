package feed

import (
	"fmt"
	"regexp"
	"strconv"
)

// The schema's limits, in one place: the validator checks against these constants, and
// TestSchemaDocumentsEveryLimit checks that the README's schema section and this package's
// documentation state each one as schemaLimits words it.
const (
	Version   = 1       // the schema version this package reads
	MaxSize   = 8 << 20 // bytes of a feed
	MaxTitles = 20_000

	maxFeedName        = 200 // characters
	maxFeedDescription = 2000
	maxIDLength        = 128
	maxTitleName       = 300
	minYear            = 1870
	maxYear            = 2100
	maxRuntimeSeconds  = 24 * 3600
	maxGenres          = 16
	maxGenreLength     = 40
	maxSynopsis        = 5000
	maxCredit          = 500
	maxNotes           = 2000
	maxSources         = 20 // of a movie or an episode
	maxSeasons         = 100
	maxEpisodes        = 500 // of a season
	maxEpisodeName     = 300
	maxEpisodeSynopsis = 5000
	maxWebseeds        = 20
	maxTrackers        = 50
	maxQuality         = 20
	maxFileIndex       = 100_000
	maxURLLength       = 4096 // bytes

	maxProblems = 25 // reported in one error; the rest are counted
)

var idPattern = regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9][A-Za-z0-9._-]{0,%d}$`, maxIDLength-1))

// schemaLimits is how the schema's documentation states each limit; a phrase is found in
// the text with runs of white space read as one space.
var schemaLimits = []struct{ limit, phrase string }{
	{"MaxSize", fmt.Sprintf("A feed is one UTF-8 JSON object of at most %d MiB", MaxSize>>20)},
	{"maxFeedName", fmt.Sprintf(`"name" (required, at most %d characters), "description"`, maxFeedName)},
	{"maxFeedDescription", fmt.Sprintf(`"description" (at most %d)`, maxFeedDescription)},
	{"MaxTitles", fmt.Sprintf(`"titles" (required, 1 to %s titles)`, thousands(MaxTitles))},
	{"maxIDLength", fmt.Sprintf(`"id" (required; 1–%d letters, digits, '.', '_' or '-'`, maxIDLength)},
	{"maxTitleName", fmt.Sprintf(`"kind" (required, "movie" or "series"), "name" (required, at most %d characters)`, maxTitleName)},
	{"minYear, maxYear", fmt.Sprintf(`"year" (required, %d–%d)`, minYear, maxYear)},
	{"maxRuntimeSeconds", `"runtime_seconds" (0 = unknown, at most ` + durationWords(maxRuntimeSeconds) + ")"},
	{"maxGenres, maxGenreLength", fmt.Sprintf(`"genres" (at most %d, each 1–%d characters, no repeats)`, maxGenres, maxGenreLength)},
	{"maxSynopsis", fmt.Sprintf(`"synopsis" (at most %d), "poster"`, maxSynopsis)},
	{"maxCredit", fmt.Sprintf(`"credit" (the credit line, at most %d)`, maxCredit)},
	{"maxNotes", fmt.Sprintf(`"notes" (at most %d, ignored by Marquee)`, maxNotes)},
	{"maxSources (movie)", fmt.Sprintf(`A movie has "sources" (1 to %d)`, maxSources)},
	{"maxSeasons", fmt.Sprintf(`A series has "seasons" (1 to %d)`, maxSeasons)},
	{"maxEpisodes", fmt.Sprintf(`"episodes" (1 to %d)`, maxEpisodes)},
	{"maxEpisodeName, maxEpisodeSynopsis", fmt.Sprintf(`"name" (at most %d characters), "synopsis" (at most %d), "runtime_seconds"`, maxEpisodeName, maxEpisodeSynopsis)},
	{"maxSources (episode)", fmt.Sprintf(`"runtime_seconds" and "sources" (1 to %d)`, maxSources)},
	{"maxWebseeds", fmt.Sprintf(`"webseeds" (at most %d http(s) URLs, BEP 19)`, maxWebseeds)},
	{"maxTrackers", fmt.Sprintf(`"trackers" (at most %d http, https, udp, ws or wss URLs)`, maxTrackers)},
	{"maxQuality", fmt.Sprintf(`"quality" (a label such as "1080p", at most %d characters)`, maxQuality)},
	{"maxFileIndex", fmt.Sprintf(`"file_index" (the video's index in the torrent's file list, 0 to %d;`, maxFileIndex)},
	{"maxURLLength", fmt.Sprintf("Every URL is at most %d bytes.", maxURLLength)},
}

// thousands writes 20000 as "20,000", the way the documentation writes large numbers.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func durationWords(n int) string {
	if n == 24*3600 {
		return "a day"
	}
	return strconv.Itoa(n) + " seconds"
}
