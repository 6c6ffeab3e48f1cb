package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// savedRun is what a session leaves in bench/work/samples.json: every sample, so that
// RESULTS.md can be rendered again (after editing analysis.md) without measuring again.
type savedRun struct {
	Meta    savedMeta                         `json:"meta"`
	Samples map[figure]map[engineID][]float64 `json:"samples"`
	Errors  map[figure]map[engineID][]string  `json:"errors,omitempty"`
}

type savedMeta struct {
	Date     time.Time           `json:"date"`
	Machine  string              `json:"machine"`
	Versions map[engineID]string `json:"versions"`
	Duration time.Duration       `json:"film_duration"`
	Bitrate  int64               `json:"film_bitrate"`
	FilmSize int64               `json:"film_size"`
	Large    int64               `json:"large_size"`
	Quick    bool                `json:"quick"`
	Notes    []string            `json:"notes,omitempty"`
}

func savedMetaOf(m reportMeta) savedMeta {
	s := savedMeta{Date: m.date, Machine: m.machine, Versions: m.versions, FilmSize: m.filmSize, Large: m.large,
		Quick: m.sc.runs == quickScenario.runs && m.sc.stallPlay == quickScenario.stallPlay, Notes: m.notes}
	if m.films != nil {
		s.Duration, s.Bitrate = m.films.duration, m.films.bitrate
	}
	return s
}

// loadRun reads a samples.json written by a session.
func loadRun(path string) (savedRun, reportMeta, error) {
	var run savedRun
	b, err := os.ReadFile(path)
	if err != nil {
		return run, reportMeta{}, err
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return run, reportMeta{}, fmt.Errorf("%s: %w", path, err)
	}
	sc := fullScenario
	if run.Meta.Quick {
		sc = quickScenario
	}
	m := reportMeta{
		date: run.Meta.Date, machine: run.Meta.Machine, versions: run.Meta.Versions,
		films:    &films{duration: run.Meta.Duration, bitrate: run.Meta.Bitrate},
		filmSize: run.Meta.FilmSize, large: run.Meta.Large, sc: sc, notes: run.Meta.Notes,
	}
	return run, m, nil
}
