package feed

import (
	"encoding/json"
	"time"

	"marquee/catalog"
)

type outFeed struct {
	Version     int        `json:"version"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Homepage    string     `json:"homepage,omitempty"`
	Titles      []outTitle `json:"titles"`
}

type outTitle struct {
	ID             string      `json:"id"`
	Kind           string      `json:"kind"`
	Name           string      `json:"name"`
	Year           int         `json:"year"`
	RuntimeSeconds int64       `json:"runtime_seconds,omitempty"`
	Genres         []string    `json:"genres,omitempty"`
	Synopsis       string      `json:"synopsis,omitempty"`
	Poster         string      `json:"poster,omitempty"`
	Backdrop       string      `json:"backdrop,omitempty"`
	Licence        string      `json:"licence"`
	LicenceURL     string      `json:"licence_url"`
	Attribution    string      `json:"attribution,omitempty"`
	Credit         string      `json:"credit,omitempty"`
	Popularity     float64     `json:"popularity,omitempty"`
	Sources        []outSource `json:"sources,omitempty"`
	Seasons        []outSeason `json:"seasons,omitempty"`
}

type outSeason struct {
	Number   int          `json:"number"`
	Episodes []outEpisode `json:"episodes"`
}

type outEpisode struct {
	Number         int         `json:"number"`
	Name           string      `json:"name,omitempty"`
	Synopsis       string      `json:"synopsis,omitempty"`
	RuntimeSeconds int64       `json:"runtime_seconds,omitempty"`
	Sources        []outSource `json:"sources"`
}

type outSource struct {
	Magnet     string   `json:"magnet,omitempty"`
	TorrentURL string   `json:"torrent_url,omitempty"`
	InfoHash   string   `json:"infohash,omitempty"`
	Webseeds   []string `json:"webseeds,omitempty"`
	Trackers   []string `json:"trackers,omitempty"`
	Quality    string   `json:"quality,omitempty"`
	Size       int64    `json:"size,omitempty"`
	FileIndex  *int     `json:"file_index,omitempty"`
}

// Marshal writes f in the feed schema, indented. Titles keep the IDs they have, so
// pass a Feed from Parse (local IDs), not titles from a provider.
func Marshal(f Feed) ([]byte, error) {
	out := outFeed{Version: Version, Name: f.Name, Description: f.Description, Homepage: f.Homepage}
	for _, t := range f.Titles {
		ot := outTitle{
			ID: t.ID, Kind: string(t.Kind), Name: t.Name, Year: t.Year, RuntimeSeconds: seconds(t.Runtime),
			Genres: t.Genres, Synopsis: t.Synopsis, Poster: t.Poster, Backdrop: t.Backdrop,
			Licence: t.Licence, LicenceURL: t.LicenceURL, Attribution: t.Attribution, Credit: t.Credit,
			Popularity: t.Popularity, Sources: outSources(t.Sources),
		}
		for _, s := range t.Seasons {
			os := outSeason{Number: s.Number}
			for _, e := range s.Episodes {
				os.Episodes = append(os.Episodes, outEpisode{
					Number: e.Number, Name: e.Name, Synopsis: e.Synopsis,
					RuntimeSeconds: seconds(e.Runtime), Sources: outSources(e.Sources),
				})
			}
			ot.Seasons = append(ot.Seasons, os)
		}
		out.Titles = append(out.Titles, ot)
	}
	return json.MarshalIndent(out, "", "  ")
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

func outSources(sources []catalog.Source) []outSource {
	var out []outSource
	for _, s := range sources {
		o := outSource{
			Magnet: s.Magnet, TorrentURL: s.TorrentURL, InfoHash: s.InfoHash, Webseeds: s.Webseeds,
			Trackers: s.Trackers, Quality: s.Quality, Size: s.Size,
		}
		if s.FileIndex >= 0 {
			index := s.FileIndex
			o.FileIndex = &index
		}
		out = append(out, o)
	}
	return out
}
