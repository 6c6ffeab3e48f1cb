package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/library"
	"marquee/torrent"
)

// sharedTorrent is what the Sharing screen shows of one torrent, read off the UI
// goroutine.
type sharedTorrent struct {
	t       *torrent.Torrent
	name    string
	stats   torrent.Stats
	sharing bool
}

// facts is the torrent's line of numbers: what is on disk, how much was downloaded and
// uploaded, and whether it uploads now.
func (s sharedTorrent) facts() string {
	st := s.stats
	done := ""
	if st.Length > 0 {
		done = fmt.Sprintf("%.0f%% downloaded", 100*float64(st.BytesComplete)/float64(st.Length))
	}
	now := "not uploading now"
	switch {
	case !s.sharing:
		now = "not shared"
	case st.UploadPeers > 0:
		now = fmt.Sprintf("uploading now to %s at %s", plural(st.UploadPeers, "peer"), formatRate(st.UploadRate))
	}
	return joinNonEmpty("  ·  ",
		formatBytes(st.BytesComplete)+" on disk",
		done,
		formatBytes(st.BytesUp)+" uploaded",
		fmt.Sprintf("ratio %.2f", st.Ratio),
		plural(st.Peers, "peer")+" connected",
		now)
}

// sharingScreen is the Sharing page: the seeding switch, then every torrent the engine
// holds with its numbers and its own Stop sharing, Remove and Remove with data. It
// re-reads the engine while it is open.
type sharingScreen struct {
	u      *ui
	toggle *switchCheck
	list   *fyne.Container
	empty  *widget.Label
	rows   map[string]*sharingRow // by info hash
	ctx    context.Context
	// refreshNow asks the watcher for a new reading at once (after an action).
	refreshNow chan struct{}
}

// sharingRow is one torrent's block on the Sharing page.
type sharingRow struct {
	box                *fyne.Container
	name, facts        *widget.Label
	share, drop, purge *widget.Button
	// playingNote says why Remove is greyed out for the film on screen.
	playingNote *widget.Label
	item        sharedTorrent
}

// openSharing shows the Sharing page (once).
func (u *ui) openSharing() {
	if u.nav.top().name == pageSharing {
		return
	}
	ctx, cancel := context.WithCancel(u.ctx)
	s := &sharingScreen{u: u, rows: map[string]*sharingRow{}, ctx: ctx, refreshNow: make(chan struct{}, 1)}
	content := s.build()
	indicator := u.newSeedingIndicator()
	back := newButton("Back", theme.NavigateBackIcon(), u.nav.back)
	top := container.NewBorder(nil, nil,
		container.NewHBox(back, widget.NewLabelWithStyle("Sharing", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		container.NewPadded(indicator))
	u.nav.push(page{name: pageSharing, content: container.NewBorder(top, nil, nil, nil, content), leave: func() {
		cancel()
		u.dropSeedingIndicator(indicator)
		if u.currentSharing == s {
			u.currentSharing = nil
		}
	}})
	u.currentSharing = s
	u.background(s.watch)
}

func (s *sharingScreen) build() fyne.CanvasObject {
	u := s.u
	s.toggle = newCheck("Seed (share what you watch)", func(on bool) {
		u.setSeeding(on)
		s.refresh()
	})
	s.toggle.SetChecked(u.svc.settings.seeding())
	explanation := widget.NewLabel(seedingExplanation)
	explanation.Wrapping = fyne.TextWrapWord
	s.empty = widget.NewLabel("Marquee holds no torrents yet: what you watch appears here.")
	s.empty.Wrapping = fyne.TextWrapWord
	if u.svc.engine == nil {
		s.empty.SetText(explain(errEngineUnavailable).Title + ": nothing is shared.")
		s.toggle.Disable()
	}
	s.list = container.NewVBox()
	seeding := widget.NewCard("", "", container.NewVBox(s.toggle, explanation))
	scroll := container.NewVScroll(nil)
	// Wrapped words grow taller as the window narrows; the scroll learns it only when
	// refreshed.
	reflow := &reflowLayout{onWidth: func() { runOnUI(scroll.Refresh) }} // queued: not from inside a layout
	scroll.Content = container.NewPadded(container.New(reflow, seeding, s.empty, s.list))
	return scroll
}

// refresh asks for a new reading of the engine now.
func (s *sharingScreen) refresh() {
	select {
	case s.refreshNow <- struct{}{}:
	default:
	}
}

// watch reads the engine now and then, off the UI goroutine, until the page is left.
func (s *sharingScreen) watch(ctx context.Context) {
	eng := s.u.svc.engine
	if eng == nil {
		return
	}
	tick := time.NewTicker(engineWatchInterval)
	defer tick.Stop()
	for {
		items := readShared(eng, playedTitleNames(s.u.svc.library))
		runOnUI(func() { s.show(items) })
		select {
		case <-s.ctx.Done():
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.refreshNow:
		}
	}
}

// readShared lists the engine's torrents, by name: the title's (titles, by info hash),
// else the torrent's own.
func readShared(eng *torrent.Engine, titles map[string]string) []sharedTorrent {
	var items []sharedTorrent
	for _, t := range eng.Torrents() {
		name := titles[t.InfoHash()]
		if name == "" {
			name = t.Name()
		}
		if name == "" {
			name = t.InfoHash()
		}
		items = append(items, sharedTorrent{t: t, name: name, stats: t.Stats(), sharing: t.Sharing()})
	}
	slices.SortFunc(items, func(a, b sharedTorrent) int {
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	return items
}

// playedTitleNames names the torrents of the titles played, by info hash: "Test Pattern"
// rather than the file name the torrent was made from, with the episode for a series. It
// reads the library: never call it on the UI goroutine.
func playedTitleNames(lib *library.Library) map[string]string {
	names := map[string]string{}
	recents, err := lib.RecentlyPlayed(0)
	if err != nil {
		return names
	}
	name := func(req playRequest, sources []catalog.Source) {
		for _, src := range sources {
			if h := src.Hash(); h != "" && names[h] == "" {
				names[h] = req.displayName()
			}
		}
	}
	for _, r := range recents {
		t := r.Title
		name(playRequest{title: t}, t.Sources)
		for _, season := range t.Seasons {
			for _, ep := range season.Episodes {
				name(playRequest{title: t, season: season.Number, episode: ep.Number}, ep.Sources)
			}
		}
	}
	return names
}

// show puts a reading on the page, keeping the rows of torrents still there.
func (s *sharingScreen) show(items []sharedTorrent) {
	if s.ctx.Err() != nil {
		return
	}
	s.empty.Hidden = len(items) > 0
	s.empty.Refresh()
	playing := s.playingHash()
	objs := make([]fyne.CanvasObject, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		ih := it.t.InfoHash()
		seen[ih] = true
		r := s.rows[ih]
		if r == nil {
			r = s.newRow()
			s.rows[ih] = r
		}
		r.item = it
		r.name.SetText(it.name)
		r.facts.SetText(it.facts())
		if it.sharing {
			r.share.SetText("Stop sharing")
			r.share.SetIcon(theme.MediaPauseIcon())
		} else {
			r.share.SetText("Share again")
			r.share.SetIcon(theme.UploadIcon())
		}
		// Removing the film on screen would cut it off mid-play.
		if ih == playing {
			r.drop.Disable()
			r.purge.Disable()
			r.playingNote.Show()
		} else {
			r.drop.Enable()
			r.purge.Enable()
			r.playingNote.Hide()
		}
		objs = append(objs, r.box)
	}
	for ih := range s.rows {
		if !seen[ih] {
			delete(s.rows, ih)
		}
	}
	s.list.Objects = objs
	s.list.Refresh()
	s.u.attachContent()
}

const playingNoteText = "Playing now: stop it to remove"

// playingHash is the info hash of the torrent the player streams, "" when none.
func (s *sharingScreen) playingHash() string {
	if pb := s.u.playback; pb != nil {
		if t, _ := pb.currentTorrent(); t != nil {
			return t.InfoHash()
		}
	}
	return ""
}

func (s *sharingScreen) newRow() *sharingRow {
	r := &sharingRow{}
	r.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.facts = widget.NewLabel("")
	r.facts.Wrapping = fyne.TextWrapWord
	r.share = newButton("Stop sharing", theme.MediaPauseIcon(), func() { s.setSharing(r.item.t, !r.item.sharing) })
	r.drop = newButton("Remove", theme.ContentRemoveIcon(), func() { s.remove(r.item, false) })
	r.purge = newButton("Remove with data", theme.DeleteIcon(), func() { s.confirmRemoveWithData(r.item) })
	r.purge.Importance = widget.DangerImportance
	// Under the buttons rather than beside them: beside, it made the row 650 px wide.
	r.playingNote = widget.NewLabel(playingNoteText)
	r.playingNote.Wrapping = fyne.TextWrapWord
	r.playingNote.Hide()
	r.box = container.NewVBox(r.name, r.facts, container.NewHBox(r.share, r.drop, r.purge), r.playingNote, widget.NewSeparator())
	return r
}

// setSharing switches one torrent's sharing on the task goroutine (the engine may block).
func (s *sharingScreen) setSharing(t *torrent.Torrent, on bool) {
	s.u.engineTask(func(*torrent.Engine) {
		if err := t.SetSharing(on); err != nil {
			runOnUI(func() { showErrorDialog(s.u.win, err) })
		}
		s.refresh()
	})
}

// remove drops a torrent from the engine, keeping (Remove) or deleting (Remove with data)
// what it downloaded.
func (s *sharingScreen) remove(it sharedTorrent, withData bool) {
	s.u.engineTask(func(*torrent.Engine) {
		if err := it.t.Drop(withData); err != nil {
			runOnUI(func() { showErrorDialog(s.u.win, err) })
		}
		s.refresh()
	})
}

func (s *sharingScreen) confirmRemoveWithData(it sharedTorrent) {
	d := dialog.NewConfirm("Remove “"+it.name+"” and its data?",
		"This deletes "+formatBytes(it.stats.BytesComplete)+" downloaded by Marquee. Files you seed from your own folders are kept.",
		guarded1("the “Remove with data” dialog", func(yes bool) {
			if yes {
				s.remove(it, true)
			}
		}), s.u.win)
	d.SetConfirmText("Remove")
	d.SetDismissText("Cancel")
	d.Show()
}

// reflowLayout stacks objects top to bottom, as a VBox does, and runs onWidth when the
// width it is given changes, so that a scroll around it can measure wrapped text again.
type reflowLayout struct {
	width   float32
	onWidth func()
}

func (l *reflowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	layout.NewVBoxLayout().Layout(objects, size)
	if size.Width != l.width {
		l.width = size.Width
		if l.onWidth != nil {
			l.onWidth()
		}
	}
}

func (l *reflowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return layout.NewVBoxLayout().MinSize(objects)
}
