package app

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/health"
	"marquee/catalog/library"
	"marquee/torrent"
)

const (
	detailPosterWidth  = 240
	detailPosterHeight = 360
)

// detail is a title's page: artwork, facts, licence, the source and file pickers, the
// Play / My list / Watched buttons and, for a series, its seasons and episodes.
type detail struct {
	u     *ui
	title catalog.Title
	ctx   context.Context
	stop  context.CancelFunc

	poster, backdrop *canvas.Image

	sourceSel *menuSelect
	health    *widget.Label
	fileSel   *menuSelect
	filesBtn  *widget.Button
	fileNote  *widget.Label
	files     []torrent.File // video files of the selected source, once known
	fileIndex int            // the file picked, or catalog.MainFile
	indicator *seedingIndicator
	// listed is a torrent added only to list its files; it is dropped again on leaving
	// the page if nothing of it was downloaded.
	listed *torrent.Torrent

	play, startOver, fav, watched, cast *widget.Button

	seasonSel *menuSelect
	episodes  *fyne.Container

	// more is the "More like this" row: the same genre, from the same provider first;
	// moreFocus is the card in it with the keyboard's ring, -1 for none.
	more      *titleRow
	moreFocus int
	scroll    *container.Scroll

	content fyne.CanvasObject
}

// openDetail shows a title's page.
func (u *ui) openDetail(t catalog.Title) {
	d := newDetail(u, t)
	u.nav.push(page{name: pageDetail, content: d.content, keys: d.typedKey, leave: d.leave, shown: d.refresh})
	u.currentDetail = d
}

// typedKey is the page's keyboard: Enter plays (or resumes), as the Play button does;
// Down and the arrows move a ring over "More like this", where Enter opens the title
// under it, and Up from there comes back to Play.
func (d *detail) typedKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyDown:
		d.focusMore(max(d.moreFocus, 0))
	case fyne.KeyUp:
		d.focusMore(-1)
	case fyne.KeyRight, fyne.KeyLeft:
		if d.moreFocus < 0 {
			return false
		}
		step := 1
		if ev.Name == fyne.KeyLeft {
			step = -1
		}
		d.focusMore(min(max(d.moreFocus+step, 0), len(d.more.cards.Objects)-1))
	case fyne.KeyReturn, fyne.KeyEnter:
		if c := d.moreCard(d.moreFocus); c != nil {
			c.Tapped(&fyne.PointEvent{})
		} else if !d.play.Disabled() {
			d.play.OnTapped()
		}
	default:
		return false
	}
	return true
}

// moreCard is the card at i in "More like this", nil when there is none there.
func (d *detail) moreCard(i int) *card {
	if i < 0 || i >= len(d.more.cards.Objects) || !d.more.box.Visible() {
		return nil
	}
	return d.more.cards.Objects[i].(*card)
}

// focusMore puts the ring on the i-th card of "More like this" and shows it, or with
// i < 0 takes it away (Enter plays again).
func (d *detail) focusMore(i int) {
	if c := d.moreCard(d.moreFocus); c != nil {
		c.setFocused(false)
	}
	d.moreFocus = -1
	c := d.moreCard(i)
	if c == nil {
		d.scroll.ScrollToTop()
		return
	}
	d.moreFocus = i
	c.setFocused(true)
	d.more.reveal(c, d.scroll)
}

func newDetail(u *ui, t catalog.Title) *detail {
	ctx, cancel := context.WithCancel(u.ctx)
	d := &detail{u: u, title: t, ctx: ctx, stop: cancel, fileIndex: catalog.MainFile, moreFocus: -1}
	d.build()
	d.refresh()
	return d
}

func (d *detail) leave() {
	d.stop()
	if d.u.currentDetail == d {
		d.u.currentDetail = nil
	}
	d.u.dropSeedingIndicator(d.indicator)
	d.dropListed()
}

// dropListed drops the torrent added to list its files, unless something of it was
// downloaded since (it was played).
func (d *detail) dropListed() {
	t := d.listed
	if t == nil {
		return
	}
	d.listed = nil
	d.u.engineTask(func(*torrent.Engine) {
		if t.Stats().BytesComplete == 0 {
			t.Drop(true)
		}
	})
}

func (d *detail) build() {
	t := d.title
	u := d.u

	d.poster = canvas.NewImageFromImage(u.svc.posters.titleCard(t))
	d.poster.FillMode = canvas.ImageFillContain
	d.poster.SetMinSize(fyne.NewSize(detailPosterWidth, detailPosterHeight))
	u.svc.posters.load(t.Poster, func(img image.Image) { d.poster.Image = img; d.poster.Refresh() })
	d.backdrop = canvas.NewImageFromImage(nil)
	d.backdrop.FillMode = canvas.ImageFillCover
	d.backdrop.ScaleMode = canvas.ImageScaleSmooth
	d.backdrop.Translucency = 0.5
	u.showBackdrop(d.backdrop, t, func() bool { return d.ctx.Err() == nil })

	name := widget.NewLabelWithStyle(t.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameHeadingText
	name.Wrapping = fyne.TextWrapWord
	facts := widget.NewLabel(joinNonEmpty("  ·  ", yearText(t.Year), formatRuntime(t.Runtime), strings.Join(t.Genres, ", ")))
	synopsis := widget.NewLabel(t.Synopsis)
	synopsis.Wrapping = fyne.TextWrapWord

	info := container.NewVBox(name, facts, synopsis, d.licence())

	d.play = newButton("Play", theme.MediaPlayIcon(), func() { d.playMain(true) })
	d.play.Importance = widget.HighImportance
	d.startOver = newButton("Start over", theme.MediaReplayIcon(), func() { d.playMain(false) })
	d.fav = newButton("My list", theme.ContentAddIcon(), d.toggleFavorite)
	d.watched = newButton("Mark watched", theme.ConfirmIcon(), d.toggleWatched)
	d.cast = newButton("Cast", theme.ComputerIcon(), d.castMain)
	buttonRow := &wrapRow{}
	buttons := container.New(buttonRow, d.play, d.startOver, d.cast, d.fav, d.watched)

	if t.Kind == catalog.KindSeries && len(t.Seasons) > 0 {
		info.Add(buttons)
		info.Add(d.seasonPicker())
	} else {
		info.Add(d.sourcePicker())
		info.Add(buttons)
	}
	if !t.Playable() {
		d.play.Disable()
		d.startOver.Disable()
		d.cast.Disable()
		info.Add(widget.NewLabel("This title has no source to play yet."))
	}

	back := newButton("Back", theme.NavigateBackIcon(), u.nav.back)
	arrange := &detailLayout{}
	body := container.New(arrange, container.NewVBox(d.poster), container.NewPadded(info))
	d.indicator = u.newSeedingIndicator()
	top := container.NewBorder(nil, nil, back, container.NewPadded(d.indicator))
	scroll := container.NewVScroll(nil)
	d.scroll = scroll
	d.more = newTitleRow(u, scroll, "More like this", nil)
	d.more.seeAll.Hide()
	scroll.Content = container.NewPadded(container.NewVBox(body, d.more.box))
	d.fillMoreLikeThis()
	arrange.onChange = func() { runOnUI(scroll.Refresh) } // queued: not from inside a layout
	buttonRow.onChange = arrange.onChange
	page := container.NewBorder(top, nil, nil, nil, scroll)
	shade := canvas.NewLinearGradient(color.NRGBA{A: 0x60}, color.NRGBA{R: 0x14, G: 0x14, B: 0x14, A: 0xFF}, 0)
	d.content = container.NewStack(d.backdrop, shade, page)
}

// moreLikeThisLength is how many titles "More like this" offers.
const moreLikeThisLength = 12

// fillMoreLikeThis fills the "More like this" row in the background: titles of the same
// genre from the title's own provider, then from the others, without the title itself.
func (d *detail) fillMoreLikeThis() {
	t := d.title
	if len(t.Genres) == 0 {
		d.more.set(nil)
		return
	}
	cat := d.u.svc.catalog
	d.u.background(func(context.Context) {
		ctx, cancel := context.WithTimeout(d.ctx, catalog.DefaultProviderTimeout+time.Second)
		defer cancel()
		q := catalog.Query{Genre: t.Genres[0], PageSize: moreLikeThisLength + 1}
		var found []catalog.Title
		if t.Provider != "" {
			if page, err := cat.SearchProvider(ctx, t.Provider, q); err == nil {
				found = page.Titles
			}
		}
		if len(found) <= moreLikeThisLength {
			found = append(found, cat.Search(ctx, q).Titles...)
		}
		var items []rowItem
		seen := map[string]bool{t.ID: true}
		for _, x := range found {
			if !seen[x.ID] && len(items) < moreLikeThisLength {
				seen[x.ID] = true
				items = append(items, rowItem{title: x})
			}
		}
		runOnUI(func() {
			if d.ctx.Err() == nil {
				d.more.set(items)
				d.u.attachContent()
			}
		})
	})
}

func yearText(y int) string {
	if y <= 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// licence shows the licence with a link to its text, the credit line, and the link to the
// author that CC BY requires.
func (d *detail) licence() fyne.CanvasObject {
	t := d.title
	box := container.NewHBox()
	if t.Licence != "" {
		box.Add(widget.NewLabel("Licence:"))
		if u, err := url.Parse(t.LicenceURL); err == nil && t.LicenceURL != "" {
			box.Add(widget.NewHyperlink(t.Licence, u))
		} else {
			box.Add(widget.NewLabel(t.Licence))
		}
	}
	if u, err := url.Parse(t.Attribution); err == nil && t.Attribution != "" {
		box.Add(widget.NewHyperlink("Author", u))
	}
	if t.Credit == "" {
		return box
	}
	credit := widget.NewLabel(t.Credit)
	credit.Wrapping = fyne.TextWrapWord
	return container.NewVBox(box, credit)
}

// sourcePicker offers the movie's sources by quality, size and swarm health, and the
// file picker for torrents with several videos.
func (d *detail) sourcePicker() fyne.CanvasObject {
	labels := d.sourceLabels()
	d.sourceSel = newMenuSelect(labels, func(string) {
		d.fileIndex = catalog.MainFile
		d.files = nil
		d.refreshHealth()
		d.refreshFiles()
		d.refresh()
	})
	d.health = widget.NewLabel("")
	d.fileSel = newMenuSelect(nil, func(label string) {
		for _, f := range d.files {
			if fileLabel(f) == label {
				d.fileIndex = f.Index
			}
		}
		d.refresh()
	})
	d.fileSel.PlaceHolder = "The largest video file"
	d.fileSel.Disable()
	d.filesBtn = newButton("Choose a file…", theme.ListIcon(), d.fetchFiles)
	d.fileNote = widget.NewLabel("")
	d.fileNote.Wrapping = fyne.TextWrapWord
	d.fileNote.Hide()
	if len(labels) > 0 {
		d.sourceSel.SetSelectedIndex(0)
	}
	return container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Source", container.NewBorder(nil, nil, nil, d.health, d.sourceSel)),
			widget.NewFormItem("File", container.NewBorder(nil, nil, nil, d.filesBtn, d.fileSel)),
		),
		d.fileNote,
	)
}

// sourceLabels names each source for the picker, with what the engine knows of its files.
func (d *detail) sourceLabels() []string {
	labels := make([]string, len(d.title.Sources))
	for i, s := range d.title.Sources {
		var main *torrent.File
		if t := findTorrent(d.u.svc.engine, s.Hash()); t != nil && t.HasMetadata() {
			if f, ok := playedFile(t, s.FileIndex); ok {
				main = &f
			}
		}
		labels[i] = sourceLabel(i, s, main)
	}
	return labels
}

// relabelSources puts what the engine learnt (a file list fetched, a film played) into
// the picker's labels, keeping the choice.
func (d *detail) relabelSources() {
	if d.sourceSel == nil {
		return
	}
	i := d.sourceSel.SelectedIndex()
	d.sourceSel.Options = d.sourceLabels()
	if i >= 0 && i < len(d.sourceSel.Options) {
		d.sourceSel.Selected = d.sourceSel.Options[i] // not SetSelected: that counts as a new pick
	}
	d.sourceSel.Refresh()
}

// playedFile is the file a source plays: its file index, or the torrent's main video.
func playedFile(t *torrent.Torrent, fileIndex int) (torrent.File, bool) {
	if fileIndex < 0 {
		f, err := t.MainFile()
		return f, err == nil
	}
	for _, f := range t.Files() {
		if f.Index == fileIndex {
			return f, true
		}
	}
	return torrent.File{}, false
}

// sourceLabel names a source by quality and size: the catalog's, else read from the file it
// plays (main, nil until the engine has the torrent's metadata); with neither, by number
// and where it comes from.
func sourceLabel(i int, s catalog.Source, main *torrent.File) string {
	quality, size := s.Quality, s.Size
	if main != nil {
		if quality == "" {
			quality = catalog.QualityFromName(path.Base(main.Path))
		}
		if size <= 0 {
			size = main.Length
		}
	}
	if l := joinNonEmpty(" · ", quality, sizeText(size)); l != "" {
		return l
	}
	return joinNonEmpty(" · ", "Source "+strconv.Itoa(i+1), sourceOrigin(s))
}

// sourceOrigin is the host a source's .torrent or web seed is on, or "magnet link".
func sourceOrigin(s catalog.Source) string {
	for _, raw := range append([]string{s.TorrentURL}, s.Webseeds...) {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	if s.Magnet != "" {
		return "magnet link"
	}
	return ""
}

func sizeText(n int64) string {
	if n <= 0 {
		return ""
	}
	return formatBytes(n)
}

func fileLabel(f torrent.File) string {
	return path.Base(f.Path) + " (" + formatBytes(f.Length) + ")"
}

// source is the source picked for a movie.
func (d *detail) source() (catalog.Source, bool) {
	if d.sourceSel == nil || len(d.title.Sources) == 0 {
		return catalog.Source{}, false
	}
	i := max(d.sourceSel.SelectedIndex(), 0)
	return d.title.Sources[i], true
}

// refreshHealth shows the selected source's swarm health as the tracker last told it.
func (d *detail) refreshHealth() {
	src, ok := d.source()
	if !ok || d.health == nil {
		return
	}
	var live *torrent.Stats
	if t := findTorrent(d.u.svc.engine, src.Hash()); t != nil {
		st := t.Stats()
		live = &st
	}
	d.health.SetText(healthText(d.u.svc.health, src, live))
}

// healthText is the swarm's health as a tracker last counted it; where no tracker has (a
// local swarm, trackers off, a magnet with none) and the engine is in the swarm (live),
// what the engine is connected to.
func healthText(hc *health.Cache, src catalog.Source, live *torrent.Stats) string {
	if hc != nil {
		if h, ok := hc.Health(src); ok && !h.Checked.IsZero() {
			return fmt.Sprintf("%d seeders · %d peers · %s", h.Seeders, h.Leechers, h.Level())
		}
	}
	if live != nil && live.Peers+live.Webseeds > 0 {
		text := "connected to " + plural(live.Peers, "peer")
		if live.Seeds > 0 {
			text += fmt.Sprintf(" (%d with the whole film)", live.Seeds)
		}
		if live.Webseeds > 0 {
			text += " and " + plural(live.Webseeds, "web seed")
		}
		return text
	}
	if hc == nil {
		return ""
	}
	return "swarm health unknown"
}

// refreshFiles lists the files of the source's torrent when the engine already has its
// metadata; otherwise "Choose a file…" fetches it.
func (d *detail) refreshFiles() {
	src, ok := d.source()
	if !ok || d.u.svc.engine == nil {
		d.filesBtn.Hide()
		return
	}
	if t := findTorrent(d.u.svc.engine, src.Hash()); t != nil && t.HasMetadata() {
		d.setFiles(t.Files())
		return
	}
	d.fileSel.Options = nil
	d.fileSel.ClearSelected()
	d.fileSel.Disable()
	d.filesBtn.Show()
	d.filesBtn.Enable()
	d.setFileNote("")
}

// setFileNote says text under the file picker; an empty note takes no room, where it
// left a line-high gap above the Play button.
func (d *detail) setFileNote(text string) {
	d.fileNote.SetText(text)
	if text == "" {
		d.fileNote.Hide()
	} else {
		d.fileNote.Show()
	}
}

// findTorrent returns the engine's torrent with this info hash, if it has one.
func findTorrent(eng *torrent.Engine, infoHash string) *torrent.Torrent {
	if eng == nil || infoHash == "" {
		return nil
	}
	for _, t := range eng.Torrents() {
		if t.InfoHash() == infoHash {
			return t
		}
	}
	return nil
}

// fetchFiles adds the source's torrent and waits for its file list in the background.
func (d *detail) fetchFiles() {
	src, ok := d.source()
	if !ok || d.u.svc.engine == nil {
		return
	}
	d.filesBtn.Disable()
	d.setFileNote("Asking peers for the file list…")
	eng, timeout := d.u.svc.engine, d.u.svc.metadataTimeout
	d.u.background(func(context.Context) {
		ctx, cancel := context.WithTimeout(d.ctx, timeout)
		defer cancel()
		known := findTorrent(eng, src.Hash()) != nil
		t, err := eng.Add(ctx, src.URI())
		if err == nil {
			err = t.WaitMetadata(ctx)
		}
		runOnUI(func() {
			if t != nil && !known && d.listed == nil {
				d.listed = t
			}
			if d.ctx.Err() != nil {
				d.dropListed() // the page was left while the list was coming
				return
			}
			if err != nil {
				d.filesBtn.Enable()
				d.setFileNote(explain(err).What)
				return
			}
			d.setFiles(t.Files())
		})
	})
}

// setFiles fills the file picker with the torrent's video files.
func (d *detail) setFiles(all []torrent.File) {
	d.files = d.files[:0]
	for _, f := range all {
		if f.Kind == torrent.KindVideo {
			d.files = append(d.files, f)
		}
	}
	d.filesBtn.Hide()
	if len(d.files) == 0 {
		d.fileSel.Disable()
		d.setFileNote(explain(torrent.ErrNoPlayableFile).What)
		d.play.Disable()
		return
	}
	d.relabelSources()
	labels := make([]string, len(d.files))
	for i, f := range d.files {
		labels[i] = fileLabel(f)
	}
	d.fileSel.Options = labels
	d.fileSel.Enable()
	d.setFileNote(plural(len(d.files), "video file") + " in this torrent.")
	if src, ok := d.source(); ok && src.FileIndex >= 0 && d.fileIndex == catalog.MainFile {
		d.fileIndex = src.FileIndex
	}
	if i := slices.IndexFunc(d.files, func(f torrent.File) bool { return f.Index == d.fileIndex }); i >= 0 {
		d.fileSel.SetSelectedIndex(i)
	} else {
		// The largest video is what MainFile picks.
		big := 0
		for i, f := range d.files {
			if f.Length > d.files[big].Length {
				big = i
			}
		}
		d.fileSel.SetSelectedIndex(big)
	}
	d.fileSel.Refresh()
	d.u.attachContent()
}

// seasonPicker shows a season menu and the season's episodes.
func (d *detail) seasonPicker() fyne.CanvasObject {
	labels := make([]string, len(d.title.Seasons))
	for i, s := range d.title.Seasons {
		labels[i] = seasonLabel(s.Number)
	}
	d.episodes = container.NewVBox()
	d.seasonSel = newMenuSelect(labels, func(string) { d.listEpisodes() })
	if len(labels) > 0 {
		d.seasonSel.SetSelectedIndex(0)
	}
	return container.NewVBox(container.NewHBox(widget.NewLabel("Season"), d.seasonSel), d.episodes)
}

func seasonLabel(n int) string {
	if n == 0 {
		return "Specials"
	}
	return "Season " + strconv.Itoa(n)
}

// listEpisodes lists the selected season's episodes, each with its state and a Play
// button.
func (d *detail) listEpisodes() {
	d.episodes.RemoveAll()
	i := d.seasonSel.SelectedIndex()
	if i < 0 {
		return
	}
	season := d.title.Seasons[i]
	lib := d.u.svc.library
	for _, ep := range season.Episodes {
		ep := ep
		id := catalog.EpisodeID(d.title.ID, season.Number, ep.Number)
		state := ""
		if lib.IsWatched(id) {
			state = "✓ watched"
		} else if pos, _, ok := d.u.savedPosition(id); ok {
			state = "stopped at " + formatClock(pos.Position)
		}
		name := fmt.Sprintf("%d. %s", ep.Number, ep.Name)
		label := widget.NewLabel(joinNonEmpty("  ·  ", name, formatRuntime(ep.Runtime), state))
		label.Truncation = fyne.TextTruncateEllipsis
		play := newButton("", theme.MediaPlayIcon(), func() {
			d.u.playAsking(episodeRequest(d.title, season.Number, ep, true))
		})
		if len(ep.Sources) == 0 {
			play.Disable()
		}
		// Before the name, as on a TV app's episode list: at the trailing edge it sat
		// 800 px away from the name on a 1280 px window.
		d.episodes.Add(container.NewBorder(nil, nil, play, nil, label))
	}
	d.episodes.Refresh()
	d.u.attachContent()
}

// refresh updates the buttons from the library: Play or Resume, My list, Watched.
func (d *detail) refresh() {
	lib := d.u.svc.library
	t := d.title
	showToggle(d.fav, lib.IsFavorite(t.ID), "In My list", theme.ConfirmIcon(), "My list", theme.ContentAddIcon())
	showToggle(d.watched, lib.IsWatched(t.ID), "Watched", theme.CheckButtonCheckedIcon(), "Mark watched", theme.CheckButtonIcon())
	req, at, ok := d.mainRequest()
	d.startOver.Hide()
	switch {
	case !ok:
		d.play.SetText("Play")
	case at > 0:
		d.play.SetText(joinNonEmpty(" ", "Resume", req.episodeLabel(), "from "+formatClock(at)))
		d.startOver.Show()
	default:
		d.play.SetText(joinNonEmpty(" ", "Play", req.episodeLabel()))
	}
	if d.seasonSel != nil {
		d.listEpisodes()
	}
	d.refreshHealth()
}

// mainRequest is what the Play button plays: the movie with the picked source and file,
// or the series' next episode; and where it would resume.
func (d *detail) mainRequest() (playRequest, time.Duration, bool) {
	t := d.title
	if t.Kind == catalog.KindSeries && len(t.Seasons) > 0 {
		return d.u.nextUp(t)
	}
	src, ok := d.source()
	if !ok {
		return playRequest{}, 0, false
	}
	req, at := d.u.movieRequest(t, src, d.fileIndex)
	return req, at, true
}

// movieRequest plays a movie from src (fileIndex: the file picked, or catalog.MainFile for
// the source's own), resuming where it stopped; at is that position, 0 when it starts.
func (u *ui) movieRequest(t catalog.Title, src catalog.Source, fileIndex int) (req playRequest, at time.Duration) {
	req = playRequest{title: t, source: src, fileIndex: fileIndex, resume: true}
	if req.fileIndex == catalog.MainFile {
		req.fileIndex = src.FileIndex
	}
	if pos, file, ok := u.savedPosition(t.ID); ok && (req.fileIndex < 0 || file == req.fileIndex) {
		at = pos.Position
	}
	return req, at
}

// titleRequest is what Play plays for t without its page open: a series' next episode,
// else the movie's first source.
func (u *ui) titleRequest(t catalog.Title) (playRequest, time.Duration, bool) {
	if t.Kind == catalog.KindSeries && len(t.Seasons) > 0 {
		return u.nextUp(t)
	}
	if len(t.Sources) == 0 {
		return playRequest{}, 0, false
	}
	req, at := u.movieRequest(t, t.Sources[0], catalog.MainFile)
	return req, at, true
}

func (d *detail) playMain(resume bool) {
	req, _, ok := d.mainRequest()
	if !ok {
		return
	}
	req.resume = resume
	d.u.play(req)
}

// toggleFavorite and toggleWatched flip the mark on the task goroutine (a bbolt commit
// fsyncs), deciding there, in tap order, so that two quick taps flip twice.
func (d *detail) toggleFavorite() {
	t, log := d.title, d.u.svc.log
	d.u.libraryWrite(func(lib *library.Library) error {
		on := !lib.IsFavorite(t.ID)
		if on {
			if err := lib.RememberTitle(t); err != nil {
				log.Warn("remember title", "id", t.ID, "err", err)
			}
		}
		return lib.SetFavorite(t.ID, on)
	}, d.wrote)
}

func (d *detail) toggleWatched() {
	id := d.title.ID
	d.u.libraryWrite(func(lib *library.Library) error {
		return lib.SetWatched(id, !lib.IsWatched(id))
	}, d.wrote)
}

// wrote shows the outcome of a library write on the page, and on the home rows that come
// from the library (the page may have been left while the write ran).
func (d *detail) wrote(err error) {
	if err != nil {
		showErrorDialog(d.u.win, err)
	}
	if d.ctx.Err() == nil {
		d.refresh()
	}
	d.u.home.refreshLibraryRows()
}

// savedPosition finds where playback of a title (or episode) stopped, and in which file.
func (u *ui) savedPosition(id string) (library.Position, int, bool) {
	recents, err := u.svc.library.RecentlyPlayed(0)
	if err != nil {
		return library.Position{}, 0, false
	}
	for _, r := range recents {
		if r.TitleID != id {
			continue
		}
		if u.svc.library.IsWatched(id) {
			// Marked watched: Play starts over, whatever position was saved.
			return library.Position{}, 0, false
		}
		pos, ok := u.svc.library.Resume(id, r.FileIndex)
		if !ok || pos.Position <= 0 || pos.Finished() {
			return library.Position{}, 0, false
		}
		return pos, r.FileIndex, true
	}
	return library.Position{}, 0, false
}

// nextUp picks the episode to play, and where it would resume: the one in progress,
// else the one after the last watched, else the first.
func (u *ui) nextUp(t catalog.Title) (playRequest, time.Duration, bool) {
	lib := u.svc.library
	var lastWatched *playRequest
	for _, s := range t.Seasons {
		for _, ep := range s.Episodes {
			id := catalog.EpisodeID(t.ID, s.Number, ep.Number)
			if pos, _, ok := u.savedPosition(id); ok && !lib.IsWatched(id) && len(ep.Sources) > 0 {
				return episodeRequest(t, s.Number, ep, true), pos.Position, true
			}
			if lib.IsWatched(id) {
				r := episodeRequest(t, s.Number, ep, true)
				lastWatched = &r
			}
		}
	}
	if lastWatched != nil {
		if next, ok := nextEpisode(t, lastWatched.season, lastWatched.episode); ok {
			return next, 0, true
		}
	}
	for _, s := range t.Seasons {
		if s.Number == 0 && len(t.Seasons) > 1 {
			continue // specials are not where a series starts
		}
		for _, ep := range s.Episodes {
			if len(ep.Sources) > 0 {
				return episodeRequest(t, s.Number, ep, true), 0, true
			}
		}
	}
	return playRequest{}, 0, false
}

// episodeRequest plays one episode with its first source.
func episodeRequest(t catalog.Title, season int, ep catalog.Episode, resume bool) playRequest {
	req := playRequest{title: t, season: season, episode: ep.Number, fileIndex: catalog.MainFile, resume: resume}
	if len(ep.Sources) > 0 {
		req.source = ep.Sources[0]
		req.fileIndex = req.source.FileIndex
	}
	return req
}

// nextEpisode is the episode after season/episode, across seasons; specials are skipped.
func nextEpisode(t catalog.Title, season, episode int) (playRequest, bool) {
	found := false
	for _, s := range t.Seasons {
		if s.Number == 0 && season != 0 {
			continue
		}
		for _, ep := range s.Episodes {
			if found && len(ep.Sources) > 0 {
				return episodeRequest(t, s.Number, ep, true), true
			}
			if s.Number == season && ep.Number == episode {
				found = true
			}
		}
	}
	return playRequest{}, false
}

// showToggle makes a two-state button say which state it is in.
func showToggle(b *widget.Button, on bool, onText string, onIcon fyne.Resource, offText string, offIcon fyne.Resource) {
	if on {
		b.SetText(onText)
		b.SetIcon(onIcon)
	} else {
		b.SetText(offText)
		b.SetIcon(offIcon)
	}
}
