package bench

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	moovStartColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	moovEndColor   = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
)

// errNoFirstFrames is writeChart's answer for a run that measured no first frame (the seek
// subset): there is nothing to draw.
var errNoFirstFrames = errors.New("chart: no first-frame figures measured")

// writeChart draws, for each swarm measured (the aria2c swarm, the web seed alone, the mixed
// swarm), time to first frame and bytes before the first frame per engine, both moov variants
// side by side, one row per swarm, as one PNG.
func writeChart(path string, samples map[figure]map[engineID][]float64) error {
	engines := firstFrameSet
	names := make([]string, len(engines))
	for i, id := range engines {
		names[i] = engineTitles[id]
	}
	swarms := []struct {
		title                                    string
		ttffStart, ttffEnd, bytesStart, bytesEnd figure
	}{
		{"4 aria2c seeders × 1.5 MiB/s", figTTFFStart, figTTFFEnd, figBytesStart, figBytesEnd},
		{"web seed only, 2 MiB/s per connection", figWSTTFFStart, figWSTTFFEnd, figWSBytesStart, figWSBytesEnd},
		{"mixed swarm: aria2c, libtorrent 2, Transmission, web seed", figMixTTFFStart, figMixTTFFEnd, figMixBytesStart, figMixBytesEnd},
	}
	var plots [][]*plot.Plot
	for _, sw := range swarms {
		if len(samples[sw.ttffStart]) == 0 && len(samples[sw.ttffEnd]) == 0 {
			continue
		}
		ttff, err := groupedBars("Time to first frame ("+sw.title+")", "seconds (median)", names,
			medians(samples[sw.ttffStart], engines, 1), medians(samples[sw.ttffEnd], engines, 1))
		if err != nil {
			return err
		}
		bytes, err := groupedBars("Bytes before the first frame ("+sw.title+")", "MiB (median)", names,
			medians(samples[sw.bytesStart], engines, 1<<20), medians(samples[sw.bytesEnd], engines, 1<<20))
		if err != nil {
			return err
		}
		plots = append(plots, []*plot.Plot{ttff, bytes})
	}
	if len(plots) == 0 {
		return errNoFirstFrames
	}
	img := vgimg.New(vg.Points(1100), vg.Points(420*float64(len(plots))))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 2, PadX: vg.Points(24), PadY: vg.Points(24), PadTop: vg.Points(8),
		PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, dc)
	for r, row := range plots {
		for c, p := range row {
			p.Draw(canvases[r][c])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("chart: %w", err)
	}
	return f.Close()
}

// medians lists the median of each engine's samples divided by unit; missing ones are 0
// (drawn as no bar).
func medians(byEngine map[engineID][]float64, engines []engineID, unit float64) plotter.Values {
	v := make(plotter.Values, len(engines))
	for i, id := range engines {
		if m := medianOr(byEngine[id]); !math.IsNaN(m) {
			v[i] = m / unit
		}
	}
	return v
}

func groupedBars(title, yLabel string, names []string, moovStart, moovEnd plotter.Values) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	w := vg.Points(22)
	start, err := plotter.NewBarChart(moovStart, w)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	start.Color, start.Offset = moovStartColor, -w/2
	start.LineStyle.Width = 0
	end, err := plotter.NewBarChart(moovEnd, w)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	end.Color, end.Offset = moovEndColor, w/2
	end.LineStyle.Width = 0
	top := 0.0
	for _, v := range append(append(plotter.Values{}, moovStart...), moovEnd...) {
		top = math.Max(top, v)
	}
	p.Y.Max = top * 1.2 // room for the legend above the tallest bar
	p.Add(plotter.NewGrid(), start, end)
	p.Legend.Add("moov at start", start)
	p.Legend.Add("moov at end", end)
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(names...)
	return p, nil
}
