package bench

import (
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

// writeChart draws time to first frame and bytes before the first frame per engine, both
// moov variants side by side, as one PNG.
func writeChart(path string, samples map[figure]map[engineID][]float64) error {
	engines := firstFrameSet
	names := make([]string, len(engines))
	for i, id := range engines {
		names[i] = engineTitles[id]
	}
	ttff, err := groupedBars("Time to first frame (cold start, 4 seeders × 1.5 MiB/s)", "seconds (median)", names,
		medians(samples[figTTFFStart], engines, 1), medians(samples[figTTFFEnd], engines, 1))
	if err != nil {
		return err
	}
	bytes, err := groupedBars("Bytes downloaded before the first frame", "MiB (median)", names,
		medians(samples[figBytesStart], engines, 1<<20), medians(samples[figBytesEnd], engines, 1<<20))
	if err != nil {
		return err
	}
	img := vgimg.New(vg.Points(1100), vg.Points(420))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(24), PadTop: vg.Points(8), PadBottom: vg.Points(8),
		PadLeft: vg.Points(8), PadRight: vg.Points(8)}
	plots := [][]*plot.Plot{{ttff, bytes}}
	canvases := plot.Align(plots, tiles, dc)
	ttff.Draw(canvases[0][0])
	bytes.Draw(canvases[0][1])
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
